import { ValidationError } from '@reflex/common';
import type { Actor } from '@reflex/domain';

/** Who called, as the auth guard recorded it (none when the API is open). */
export interface Caller {
  principal?: { name: string };
}

/**
 * The optional body of operator calls, `{ by?, reason? }` (short strings); `by` defaults to the
 * caller's token name, so the timeline says who approved or cancelled.
 */
export function actorOf(body: unknown, caller: Caller): Actor {
  const actor: Actor = caller.principal ? { by: caller.principal.name } : {};
  if (body === undefined || body === null) return actor;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body must be a JSON object', [
      { path: '', message: 'must be an object' },
    ]);
  }
  for (const field of ['by', 'reason'] as const) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > 1024) {
      throw new ValidationError(`${field} must be a string of at most 1024 characters`, [
        { path: `/${field}`, message: 'must be a string of at most 1024 characters' },
      ]);
    }
    actor[field] = value;
  }
  return actor;
}
