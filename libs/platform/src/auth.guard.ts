import {
  CanActivate,
  ExecutionContext,
  HttpException,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@reflex/config';
import type { AuthenticatedRequest } from './authentication';
import { isPublicPath } from './public-paths';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const REQUIRED_ROLE = 'reflex:required-role';

/**
 * The least role a route needs (CONTRACT §8): `viewer` reads, `operator` acts on plans, actions and
 * maintenance, `admin` changes rules and inventory. Routes without it: reads need `viewer`, anything
 * else `admin`, so a route someone forgets to mark is closed rather than open.
 */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

function fail(status: 401 | 403, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message } }, status);
}

/**
 * Checks the role of the principal `authenticate` found (with authentication off, that is the
 * anonymous admin). A handler reached without one is refused unless its path is public, so the
 * guard stays closed even in an app that forgot the authenticating middleware.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = request.principal;
    if (!principal) {
      if (isPublicPath(request.path)) return true;
      throw fail(
        401,
        'UNAUTHENTICATED',
        'a bearer token is required (Authorization: Bearer <token>)',
      );
    }
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? (request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'admin');
    if (RANK[principal.role] < RANK[required]) {
      throw fail(
        403,
        'FORBIDDEN',
        `this call needs the ${required} role; token "${principal.name}" has ${principal.role}`,
      );
    }
    return true;
  }
}
