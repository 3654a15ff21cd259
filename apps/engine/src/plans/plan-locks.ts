import type { EntityManager } from 'typeorm';

/**
 * Transaction-scoped advisory locks (released at commit or rollback), per database. Order, to stay
 * free of deadlocks: PLANNING, then plan rows (sorted by id), then DISPATCH. A plan step that holds
 * a plan row never waits for PLANNING; it may only try it (`tryLockPlanning`).
 */
// "REFL" + 1 and + 2; MIGRATION_LOCK_KEY of persistence is "REFLEX".
const PLANNING_LOCK_KEY = '90452669333505';
const DISPATCH_LOCK_KEY = '90452669333506';

export function requireTransaction(manager: EntityManager, what: string): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(`${what} must run inside a transaction`);
  }
}

/**
 * Serialises planning across replicas: two decisions competing for the last free host must each
 * see the capacity the other reserved, so one plans only after the other has committed.
 */
export async function lockPlanning(manager: EntityManager): Promise<void> {
  requireTransaction(manager, 'planning');
  await manager.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [PLANNING_LOCK_KEY]);
}

/**
 * PLANNING if it is free now, without waiting: for a plan step (which holds a plan row) that wants
 * to place a move again. Waiting there could deadlock with a decision that holds PLANNING and wants
 * that plan row (to supersede it); the step retries on a later tick instead.
 */
export async function tryLockPlanning(manager: EntityManager): Promise<boolean> {
  requireTransaction(manager, 'planning');
  const rows = await manager.query<{ locked: boolean }[]>(
    `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
    [PLANNING_LOCK_KEY],
  );
  return rows[0]?.locked === true;
}

/**
 * Serialises dispatching across plans: the live-migration budget of a source host counts every
 * plan's migrations, so two plans must not both take its last slot.
 */
export async function lockDispatch(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [DISPATCH_LOCK_KEY]);
}
