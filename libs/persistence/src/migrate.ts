import { TransientError } from '@reflex/common';
import { type DataSource, MigrationExecutor, type QueryRunner } from 'typeorm';

/**
 * The advisory lock key that serialises schema changes across replicas: "REFLEX" in ASCII
 * (0x5245464C4558). Advisory locks are per database, so test databases do not contend.
 */
export const MIGRATION_LOCK_KEY = 0x5245464c4558;

export interface MigrationLockOptions {
  /**
   * How long to wait for another replica's migrations before giving up with a retriable error;
   * 0 waits forever. Bounded by default so a stuck holder shows up as a failing start, not a hang.
   */
  lockTimeoutMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs pending migrations while holding the migration lock, so replicas that start together apply
 * each migration once: the first applies them, the others wait and then find nothing pending.
 * Returns the names of the migrations this call applied.
 */
export async function runMigrations(
  dataSource: DataSource,
  options: MigrationLockOptions = {},
): Promise<string[]> {
  return withMigrationLock(dataSource, options, async (queryRunner) => {
    const applied = await executor(dataSource, queryRunner).executePendingMigrations();
    return applied.map((migration) => migration.name);
  });
}

/** Reverts every applied migration, newest first (tests, and a clean slate in development). */
export async function revertAllMigrations(
  dataSource: DataSource,
  options: MigrationLockOptions = {},
): Promise<string[]> {
  return withMigrationLock(dataSource, options, async (queryRunner) => {
    const migrations = executor(dataSource, queryRunner);
    const reverted: string[] = [];
    for (;;) {
      const executed = await migrations.getExecutedMigrations();
      if (executed.length === 0) return reverted;
      const last = executed.reduce((a, b) => (b.timestamp > a.timestamp ? b : a));
      await migrations.undoLastMigration();
      reverted.push(last.name);
    }
  });
}

function executor(dataSource: DataSource, queryRunner: QueryRunner): MigrationExecutor {
  // On the lock's own connection: no second connection is needed, so even a pool of one works.
  const migrations = new MigrationExecutor(dataSource, queryRunner);
  migrations.transaction = dataSource.options.migrationsTransactionMode ?? 'all';
  return migrations;
}

async function withMigrationLock<T>(
  dataSource: DataSource,
  options: MigrationLockOptions,
  work: (queryRunner: QueryRunner) => Promise<T>,
): Promise<T> {
  if (!dataSource.isInitialized) throw new Error('initialize() the DataSource before migrating');
  const queryRunner = dataSource.createQueryRunner('master');
  await queryRunner.connect();
  let unlockError: unknown;
  try {
    await acquire(queryRunner, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    try {
      return await work(queryRunner);
    } finally {
      unlockError = await release(queryRunner);
    }
  } finally {
    await releaseConnection(queryRunner, unlockError);
  }
}

async function acquire(queryRunner: QueryRunner, timeoutMs: number): Promise<void> {
  // A session setting, reset at once so that it cannot cut the migrations' own DDL short.
  await queryRunner.query(`SELECT set_config('lock_timeout', $1, false)`, [`${timeoutMs}ms`]);
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new TransientError(
        `another process has held the migration lock for over ${timeoutMs} ms`,
        error,
      );
    }
    throw error;
  } finally {
    await queryRunner.query('RESET lock_timeout');
  }
}

/** Returns the error instead of throwing it, so that it cannot hide the migrations' own error. */
async function release(queryRunner: QueryRunner): Promise<unknown> {
  try {
    // A session lock outlives transactions: leave any transaction a failed migration left open.
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
    await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Hands the connection back to the pool. If the lock could not be released, the connection is
 * destroyed instead of reused: ending the session is then the only sure way to free the lock.
 */
async function releaseConnection(queryRunner: QueryRunner, unlockError: unknown): Promise<void> {
  const postgres = queryRunner as QueryRunner & {
    releasePostgresConnection?: (error?: unknown) => Promise<void>;
  };
  if (unlockError !== undefined && postgres.releasePostgresConnection) {
    await postgres.releasePostgresConnection(unlockError);
  } else {
    await queryRunner.release();
  }
}
