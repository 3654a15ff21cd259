import {
  CanActivate,
  ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthToken, Role } from '@reflex/config';
import type { Request } from 'express';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const REQUIRED_ROLE = 'reflex:required-role';

/**
 * The least role a route needs (CONTRACT §8): `viewer` reads, `operator` acts on plans, actions and
 * maintenance, `admin` changes rules and inventory. Routes without it: reads need `viewer`, anything
 * else `admin`, so a route someone forgets to mark is closed rather than open.
 */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function fail(status: 401 | 403, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message } }, status);
}

/** Bearer tokens from AUTH_TOKENS guard every `/v1` route; without AUTH_TOKENS the API is open. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens: Array<{ digest: Buffer; token: AuthToken }>;

  constructor(
    tokens: readonly AuthToken[],
    private readonly reflector: Reflector,
    service: string,
  ) {
    // Digests have one length, so comparing them in constant time hides the tokens' lengths too.
    this.tokens = tokens.map((token) => ({ digest: digest(token.token), token }));
    const logger = new Logger('auth');
    if (tokens.length === 0)
      logger.warn(`AUTH_TOKENS is not set: the ${service} API is open to anyone who can reach it`);
    else logger.log(`${tokens.length} API token(s) configured; /v1 calls need a bearer token`);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.tokens.length === 0) return true;
    const request = context
      .switchToHttp()
      .getRequest<Request & { principal?: { name: string; role: Role } }>();
    if (!request.path.startsWith('/v1/') && request.path !== '/v1') return true;
    const required =
      this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
        context.getHandler(),
        context.getClass(),
      ]) ?? (request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'admin');
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw fail(
        401,
        'UNAUTHENTICATED',
        'a bearer token is required (Authorization: Bearer <token>)',
      );
    const presented = digest(match[1]);
    let found: AuthToken | null = null;
    // Every configured token is compared, so timing does not reveal which one (if any) matched.
    for (const candidate of this.tokens) {
      if (timingSafeEqual(candidate.digest, presented)) found = candidate.token;
    }
    if (!found) throw fail(401, 'UNAUTHENTICATED', 'the bearer token is not valid');
    if (RANK[found.role] < RANK[required]) {
      throw fail(
        403,
        'FORBIDDEN',
        `this call needs the ${required} role; token "${found.name}" has ${found.role}`,
      );
    }
    request.principal = { name: found.name, role: found.role };
    return true;
  }
}
