import { invalidParam as bad, isStorableDate } from '../common/query-params';
import type { Position } from './plan-query.repository';
import { isUuid } from './plan.repository';

/** Cursors for the plan and action lists (newest first on created_at, id). */
export { dateOf, DEFAULT_LIMIT, limitOf, MAX_LIMIT, oneOf, textOf } from '../common/query-params';

/**
 * The page size of `GET /v1/plans` without `limit` (other lists: DEFAULT_LIMIT). A plan comes whole
 * in a list, with its explanation and every action: on the audit bench a page of 100 plans was
 * 1,000 action rows and half a megabyte of JSON, and its reading and writing were most of the time.
 */
export const PLAN_PAGE_SIZE = 20;

// Opaque to clients (base64url), so the ordering can change without breaking them.
export function encodePosition(item: { createdAt: string; id: string }): string {
  return Buffer.from(`${item.createdAt}|${item.id}`, 'utf8').toString('base64url');
}

export function positionOf(cursor: unknown): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const [createdAt, id] = text.split('|');
  if (!createdAt || !id || !isUuid(id) || !isStorableDate(new Date(createdAt))) {
    throw bad('cursor', 'is not a cursor returned by a previous page');
  }
  return { createdAt, id };
}

/** `items` were read with `limit + 1`: the extra one only says that another page exists. */
export function pageOf<T extends { createdAt: string; id: string }>(
  items: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const page = items.slice(0, limit);
  return {
    items: page,
    nextCursor: items.length > limit ? encodePosition(page[page.length - 1]) : null,
  };
}
