import { DataSource, type LoggerOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** Where TypeORM records which migrations ran. */
export const MIGRATIONS_TABLE = 'typeorm_migrations';

export interface CreateDataSourceOptions {
  /** Shown in pg_stat_activity, so an operator can tell engine from driver connections. */
  applicationName?: string;
  /**
   * Connections per process. Every replica of every service opens up to this many, and together
   * they must stay under the server's max_connections (100 by default).
   */
  poolSize?: number;
  connectTimeoutMs?: number;
  logging?: LoggerOptions;
}

/**
 * A DataSource for Reflex's schema; the caller calls `initialize()` (and `destroy()`), then
 * `runMigrations()`. The schema is changed by reviewed migrations only: `synchronize` and
 * `migrationsRun` stay off, because auto-sync would alter a production schema from whatever the
 * entities say, and migrations must run under the advisory lock of `runMigrations`.
 */
export function createDataSource(url: string, opts: CreateDataSourceOptions = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    applicationName: opts.applicationName ?? 'reflex',
    poolSize: opts.poolSize ?? 10,
    connectTimeoutMS: opts.connectTimeoutMs ?? 10_000,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    // One transaction for all pending migrations: after a failure the schema is the old one, whole,
    // and the previous release keeps working against it.
    migrationsTransactionMode: 'all',
    migrationsRun: false,
    synchronize: false,
    dropSchema: false,
    // "pgcrypto" only makes TypeORM expect gen_random_uuid(), core since PostgreSQL 13, as the uuid
    // default. No extension is needed, and none is installed: TypeORM would otherwise try
    // CREATE EXTENSION at every connect, which needs a superuser.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: opts.logging ?? ['error', 'warn', 'migration'],
  });
}
