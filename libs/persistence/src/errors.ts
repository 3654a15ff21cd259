import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/**
 * True when `error` is PostgreSQL's unique violation, on `constraint` if given (e.g.
 * `uq_plans_live_target`): repositories turn those into a ConflictError or a "seen already"
 * answer instead of a retry, since retrying cannot succeed.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  if (driverError?.code !== UNIQUE_VIOLATION) return false;
  return constraint === undefined || driverError.constraint === constraint;
}

/**
 * True for PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, text it cannot
 * store, a malformed date...): the statement fails the same way every time it runs with those
 * values, so a consumer must refuse the message (dead-letter it) rather than retry it forever.
 */
export function isDataException(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('22');
}
