import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthToken, Role } from '@reflex/config';
import type { NextFunction, Request, Response } from 'express';
import { isPublicPath } from './public-paths';

/** Who made a call: the name of the token it carried. */
export interface Principal {
  name: string;
  role: Role;
}

/** A request once `authenticate` has run: every non-public one has its principal. */
export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * The actor recorded while AUTH_TOKENS is unset: anyone who can reach the API may do anything
 * (README, Security), and the audit says so rather than leaving the actor blank.
 */
export const ANONYMOUS: Principal = Object.freeze({ name: 'anonymous', role: 'admin' });

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Finds the configured token a bearer header carries. */
export class TokenVerifier {
  private readonly tokens: Array<{ digest: Buffer; token: AuthToken }>;

  constructor(tokens: readonly AuthToken[]) {
    // Digests have one length, so comparing them in constant time hides the tokens' lengths too.
    this.tokens = tokens.map((token) => ({ digest: digest(token.token), token }));
  }

  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  verify(authorization: string | undefined): Principal | 'missing' | 'invalid' {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return 'missing';
    const presented = digest(match[1]);
    let found: AuthToken | null = null;
    // Every configured token is compared, so timing does not reveal which one (if any) matched.
    for (const candidate of this.tokens) {
      if (timingSafeEqual(candidate.digest, presented)) found = candidate.token;
    }
    return found ? { name: found.name, role: found.role } : 'invalid';
  }
}

export function refuse(
  res: Response,
  status: number,
  code: string,
  message: string,
  details?: unknown,
): void {
  res.status(status).json({ error: { code, message, ...(details ? { details } : {}) } });
}

/**
 * Runs before routing and body parsing, for every path: a path not on the public list needs a valid
 * token whatever it routes to (a route that does not exist included), so a spelling of a path the
 * router accepts and a string check misses (`/V1/...`, `/v1/HOSTS/x`) cannot skip it. Which role
 * a route needs is the guard's business, once the route is known.
 */
export function authenticate(verifier: TokenVerifier) {
  return (req: AuthenticatedRequest, res: Response, next: NextFunction): void => {
    if (!verifier.enabled) {
      req.principal = ANONYMOUS;
      return next();
    }
    const result = verifier.verify(req.headers.authorization);
    if (typeof result === 'object') {
      req.principal = result;
      return next();
    }
    if (isPublicPath(req.path)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer');
    refuse(
      res,
      401,
      'UNAUTHENTICATED',
      result === 'missing'
        ? 'a bearer token is required (Authorization: Bearer <token>)'
        : 'the bearer token is not valid',
    );
  };
}
