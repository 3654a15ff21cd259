import { ValidationError } from '@reflex/common';

/** Query-string parsing shared by the list endpoints: a bad value is a 400 naming the parameter. */

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** A 400 naming the query parameter. */
export const invalidParam = (path: string, message: string) =>
  new ValidationError(`${path} ${message}`, [{ path, message }]);
const bad = invalidParam;

export function limitOf(value: unknown, byDefault = DEFAULT_LIMIT): number {
  if (value === undefined || value === '') return byDefault;
  const n = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw bad('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

/** PostgreSQL's bigint: row ids and the cursors made of them must fit, or the query fails (500). */
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/** Whether `text` is a bigint row id as the API writes it: digits, within the column's range. */
export function isBigintId(text: string): boolean {
  return /^\d{1,19}$/.test(text) && BigInt(text) <= BIGINT_MAX;
}

/** A row id from the path: 400 naming it when out of the column's range, null when not digits. */
export function bigintIdOf(name: string, value: string): string | null {
  if (!/^\d+$/.test(value)) return null;
  if (!isBigintId(value)) throw bad(name, `must be at most ${BIGINT_MAX}`);
  return value;
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

/**
 * Years 1 to 9999, what ISO-8601 spells without extensions. JavaScript also reads dates hundreds of
 * thousands of years away (`-271821-04-20`), which PostgreSQL cannot compare with: a 500 before.
 */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}

// A date, or a date and time with an optional zone. JavaScript's own parser also reads "' OR '1'='1"
// and "-1" as 1 January 2001, so a filter of garbage used to select everything since then.
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function dateOf(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed =
    typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : new Date(NaN);
  if (!isStorableDate(parsed)) throw bad(name, 'must be an ISO-8601 date-time');
  return parsed;
}
