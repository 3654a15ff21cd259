import { Body, Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { ActionListItemV1, PageV1 } from '@reflex/contracts';
import { ACTION_STATES, ACTION_TYPES, type ActionV1 } from '@reflex/contracts/plan.v1';
import { RequireRole } from '@reflex/platform';
import { actorOf, type Caller } from './actor-input';
import { ACTION_SCHEMA, ApiFilter, ApiPaging, pageOfSchema } from './plan-api.schemas';
import { PlanCommandsService } from '../execution/plan-commands.service';
import { OperatorCommand } from './operator-command.decorator';
import { PlanViewsService } from './plan-views.service';

@ApiTags('plans')
@Controller('v1/actions')
export class ActionsController {
  constructor(
    private readonly views: PlanViewsService,
    private readonly commands: PlanCommandsService,
  ) {}

  @Get()
  @RequireRole('viewer')
  @ApiOperation({
    summary: 'List actions of all plans, newest first',
    description:
      'e.g. `?type=live-migrate&state=running` for the migrations under way, with progress.',
  })
  @ApiFilter('type', ACTION_TYPES, 'only actions of this type')
  @ApiFilter('state', ACTION_STATES, 'only actions in this state')
  @ApiFilter(
    'host',
    null,
    'only actions involving this host (source, destination or the host itself)',
  )
  @ApiPaging()
  @ApiResponse({ status: 200, schema: pageOfSchema(ACTION_SCHEMA) })
  list(
    @Query('type') type: unknown,
    @Query('state') state: unknown,
    @Query('host') host: unknown,
    @Query('limit') limit: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<PageV1<ActionListItemV1>> {
    return this.views.actions({ type, state, host, limit, cursor });
  }

  @OperatorCommand('action', 'abort', {
    summary: 'Ask the driver to abort a running action',
    description: "The driver runs the action's fail path; its `aborted` report changes the state.",
    status: 202,
    answer: 'the abort command is queued',
    schema: ACTION_SCHEMA,
    conflict: 'the action is not running',
  })
  async abort(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() caller: Caller,
  ): Promise<ActionV1> {
    await this.commands.abort(id, actorOf(body, caller));
    return this.views.action(id);
  }

  @OperatorCommand('action', 'force-complete', {
    summary: 'Force a running live migration to complete',
    description: 'The driver pauses the guest so the last memory copy finishes.',
    status: 202,
    answer: 'the command is queued',
    schema: ACTION_SCHEMA,
    conflict: 'the action is not a running live-migrate',
  })
  async forceComplete(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() caller: Caller,
  ): Promise<ActionV1> {
    await this.commands.forceComplete(id, actorOf(body, caller));
    return this.views.action(id);
  }
}
