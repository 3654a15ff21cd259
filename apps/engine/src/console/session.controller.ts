import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { ANONYMOUS, type AuthenticatedRequest } from '@reflex/platform';

/**
 * Who the caller is, for the console to show only what the token may do (CONTRACT §11: a viewer
 * sees no buttons that change anything). The API still checks every call itself.
 */
@ApiTags('console')
@Controller('v1/session')
export class SessionController {
  constructor(@Inject(ENGINE_CONFIG) private readonly config: EngineConfig) {}

  @Get()
  @ApiOperation({ summary: "The caller's token name and role (viewer and up)" })
  @ApiResponse({ status: 200, description: '{ name, role, authentication }' })
  whoAmI(@Req() req: AuthenticatedRequest) {
    const principal = req.principal ?? ANONYMOUS;
    return {
      name: principal.name,
      role: principal.role,
      authentication: this.config.authTokens.length > 0,
    };
  }
}
