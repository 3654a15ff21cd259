import { ValidationError } from '@reflex/common';
import type { PageV1 } from '@reflex/contracts';
import { limitOf } from '../common/query-params';

/** Cursor paging for the inventory lists (CONTRACT §8: `{ items, nextCursor }`). */
export type ListPage<T> = PageV1<T>;

export interface PageRequest {
  /** The id after which the page starts (decoded from the cursor). */
  after?: string;
  limit: number;
}

// The cursor is opaque to clients (the last id, base64url) so the ordering can change later.
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** Reads `?limit=&cursor=`; a bad value is a 400 naming the parameter. */
export function pageRequest(limit: unknown, cursor: unknown): PageRequest {
  const size = limitOf(limit);
  if (cursor === undefined || cursor === '') return { limit: size };
  if (typeof cursor !== 'string') throw badCursor();
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  // Ids hold no control characters; a forged cursor with a NUL would reach the database.
  if (after === '' || after.includes('\u0000') || encodeCursor(after) !== cursor) throw badCursor();
  return { after, limit: size };
}

function badCursor(): ValidationError {
  return new ValidationError('cursor is not one this API returned', [
    { path: 'cursor', message: 'is not a cursor returned by a previous page' },
  ]);
}

/** `rows` were read with `limit + 1`: the extra row only says that another page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): ListPage<T> {
  const items = rows.slice(0, limit);
  const more = rows.length > limit;
  return { items, nextCursor: more ? encodeCursor(items[items.length - 1].id) : null };
}
