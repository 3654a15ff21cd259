import { ValidationError } from '@reflex/common';
import type { Actor } from '@reflex/domain';
import { ANONYMOUS, type Principal } from '@reflex/platform';

/** Who called, as authentication recorded it (the anonymous admin while AUTH_TOKENS is unset). */
export interface Caller {
  principal?: Principal;
}

/**
 * The optional body of operator calls, `{ by?, reason? }` (short strings). The actor is always the
 * caller's token name (CONTRACT §8): an operator token must not be able to write "alice (admin)"
 * into the audit, so what the caller says in `by` is kept as a `note` beside it.
 */
export function actorOf(body: unknown, caller: Caller): Actor {
  const actor: Actor = { by: (caller.principal ?? ANONYMOUS).name };
  if (body === undefined || body === null) return actor;
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body must be a JSON object', [
      { path: '', message: 'must be an object' },
    ]);
  }
  const unknown = Object.keys(body).filter((k) => k !== 'by' && k !== 'reason');
  if (unknown.length > 0) {
    throw new ValidationError(
      `unknown field ${unknown.join(', ')} (known: by, reason)`,
      unknown.map((k) => ({ path: `/${k}`, message: 'is not a field (known: by, reason)' })),
    );
  }
  for (const field of ['by', 'reason'] as const) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > 1024) {
      throw new ValidationError(`${field} must be a string of at most 1024 characters`, [
        { path: `/${field}`, message: 'must be a string of at most 1024 characters' },
      ]);
    }
    actor[field === 'by' ? 'note' : 'reason'] = value;
  }
  return actor;
}
