import { Injectable, type NestMiddleware } from '@nestjs/common';
import { ValidationError } from '@reflex/common';
import type { NextFunction, Request, Response } from 'express';

/** The first query parameter (by name) whose value holds a NUL character, searching nested values. */
function queryWithNul(query: unknown, name = ''): string | null {
  if (typeof query === 'string') return query.includes('\u0000') ? name || 'query' : null;
  if (query === null || typeof query !== 'object') return null;
  for (const [key, value] of Object.entries(query)) {
    const found = queryWithNul(value, name ? `${name}[${key}]` : key);
    if (found) return found;
  }
  return null;
}

function pathHasNul(path: string): boolean {
  try {
    return decodeURIComponent(path).includes('\u0000');
  } catch {
    // Malformed escapes: the router answers those with its own 400.
    return false;
  }
}

/**
 * Refuses, with a 400 naming the parameter, any request whose path or query holds a NUL character
 * (`%00`). No Reflex id or filter value can contain one (ids exclude control characters), and
 * PostgreSQL cannot even compare text with one: each such filter or path id was a 500.
 */
@Injectable()
export class RefuseNulMiddleware implements NestMiddleware {
  use(req: Request, _res: Response, next: NextFunction): void {
    const where = queryWithNul(req.query) ?? (pathHasNul(req.path) ? 'path' : null);
    if (where) {
      const message = 'must not contain a NUL character';
      throw new ValidationError(`${where} ${message}`, [{ path: where, message }]);
    }
    next();
  }
}
