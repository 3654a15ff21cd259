import { ValidationError } from '@reflex/common';
import type { Position } from './plan-query.repository';
import { isUuid } from './plan.repository';

/** Query-string parsing for the plan and action lists: a bad value is a 400 naming the parameter. */

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const bad = (path: string, message: string) =>
  new ValidationError(`${path} ${message}`, [{ path, message }]);

export function limitOf(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_LIMIT;
  const n = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw bad('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

export function oneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(name, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function textOf(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 256) throw bad(name, 'must be a short string');
  return value;
}

export function dateOf(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(parsed.getTime())) throw bad(name, 'must be an ISO-8601 date-time');
  return parsed;
}

// Opaque to clients (base64url), so the ordering can change without breaking them.
export function encodePosition(item: { createdAt: string; id: string }): string {
  return Buffer.from(`${item.createdAt}|${item.id}`, 'utf8').toString('base64url');
}

export function positionOf(cursor: unknown): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const [createdAt, id] = text.split('|');
  if (!createdAt || !id || !isUuid(id) || Number.isNaN(Date.parse(createdAt))) {
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
