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
