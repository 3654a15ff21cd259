import { TransientError } from '@reflex/common';
import {
  createDataSource,
  MIGRATION_LOCK_KEY,
  MIGRATIONS,
  MIGRATIONS_TABLE,
  revertAllMigrations,
  runMigrations,
} from '@reflex/persistence';
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitFor } from '../support/wait-for';

const TABLES = [
  'actions',
  'alarms',
  'deferred_intents',
  'driver_actions',
  'groups',
  'hosts',
  'instances',
  'inventory_version',
  'outbox',
  'outbox_attempts',
  'plan_events',
  'plan_resources',
  'plans',
  'processed_messages',
  'reflex_action_durations',
  'reflex_action_failures',
  'reflex_alarm_decisions',
  'reflex_plan_outcomes',
  'reflex_plan_recovery',
  'reflex_plan_resources',
  'reflex_plan_timeline',
  'rule_versions',
  'simulator_calls',
  'simulator_inventory',
  'simulator_meta',
  'simulator_operations',
];
// (the reflex_* entries are the audit views documented in docs/audit.md)

// Every index, including those behind primary keys and unique constraints.
const INDEXES = [
  'ix_actions_compensation_for',
  'ix_actions_created',
  'ix_actions_host_ids',
  'ix_actions_type_state',
  'ix_alarms_correlated_to',
  'ix_alarms_disposition_received',
  'ix_alarms_plan',
  'ix_alarms_resource_received',
  'ix_alarms_type_received',
  'ix_deferred_intents_waiting',
  'ix_driver_actions_unfinished',
  'ix_driver_actions_unpublished',
  'ix_instances_group',
  'ix_instances_host',
  'ix_outbox_unpublished',
  'ix_outbox_unpublished_key',
  'ix_plan_events_action',
  'ix_plan_events_plan',
  'ix_plan_resources_plan',
  'ix_plans_created',
  'ix_plans_live_cell',
  'ix_plans_policy_created',
  'ix_plans_resources',
  'ix_plans_state_created',
  'ix_plans_target_created',
  'ix_plans_trigger_alarm',
  'ix_plans_trigger_rule_created',
  'ix_processed_messages_processed_at',
  'ix_simulator_inventory_version',
  'ix_simulator_operations_live',
  'ix_simulator_operations_version',
  'pk_actions',
  'pk_alarms',
  'pk_deferred_intents',
  'pk_driver_actions',
  'pk_groups',
  'pk_hosts',
  'pk_instances',
  'pk_inventory_version',
  'pk_outbox',
  'pk_outbox_attempts',
  'pk_plan_events',
  'pk_plan_resources',
  'pk_plans',
  'pk_processed_messages',
  'pk_rule_versions',
  'pk_simulator_calls',
  'pk_simulator_inventory',
  'pk_simulator_meta',
  'pk_simulator_operations',
  'uq_actions_plan_seq',
  'uq_alarms_message',
  'uq_plans_live_target',
  'uq_rule_versions_hash',
  'uq_rule_versions_name_version',
];

const MIGRATION_NAMES = MIGRATIONS.map((migration) => new migration().name);

describe('persistence migrations', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let admin: Client;

  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await admin.query(sql, params)).rows as T[];

  const tables = async (): Promise<string[]> =>
    (
      await query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> $1 ORDER BY table_name`,
        [MIGRATIONS_TABLE],
      )
    ).map((row) => row.table_name);

  const indexes = async (): Promise<Map<string, string>> =>
    new Map(
      (
        await query<{ indexname: string; indexdef: string }>(
          `SELECT indexname, indexdef FROM pg_indexes
           WHERE schemaname = 'public' AND tablename <> $1`,
          [MIGRATIONS_TABLE],
        )
      ).map((row) => [row.indexname, row.indexdef]),
    );

  const appliedNames = async (): Promise<string[]> =>
    (await query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)).map(
      (row) => row.name,
    );

  beforeAll(async () => {
    db = await createTestDatabase('persistence_migrations');
    dataSource = await createDataSource(db.url, {
      applicationName: 'reflex-test',
      logging: false,
    }).initialize();
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  it('creates every table and index on an empty database', async () => {
    await expect(runMigrations(dataSource)).resolves.toEqual(MIGRATION_NAMES);

    expect(await tables()).toEqual(TABLES);
    const found = await indexes();
    expect([...found.keys()].sort()).toEqual(INDEXES);
    for (const gin of ['ix_plans_resources', 'ix_actions_host_ids']) {
      expect(found.get(gin)).toContain('USING gin');
    }
    expect(found.get('uq_plans_live_target')).toMatch(/UNIQUE INDEX .* WHERE /);
    expect(found.get('ix_outbox_unpublished')).toContain('WHERE (published_at IS NULL)');
    expect(await appliedNames()).toEqual(MIGRATION_NAMES);
  });

  it('leaves nothing pending for a second run', async () => {
    await expect(runMigrations(dataSource)).resolves.toEqual([]);
  });

  it('has entities that agree with the migrated schema', async () => {
    // What `synchronize` would do now: nothing, or an entity says something no migration made.
    const drift = await dataSource.driver.createSchemaBuilder().log();
    expect(drift.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reverts every migration, then applies them again', async () => {
    await expect(revertAllMigrations(dataSource)).resolves.toEqual([...MIGRATION_NAMES].reverse());
    expect(await tables()).toEqual([]);
    expect(await indexes()).toEqual(new Map());
    const leftovers = await query(
      `SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public'
       UNION ALL
       SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relname NOT LIKE $1`,
      [`${MIGRATIONS_TABLE}%`],
    );
    expect(leftovers).toEqual([]);
    expect(await appliedNames()).toEqual([]);

    await expect(runMigrations(dataSource)).resolves.toEqual(MIGRATION_NAMES);
    expect(await tables()).toEqual(TABLES);
  });

  it('rolls back every pending migration when one fails, and frees the lock', async () => {
    class Broken1999999999999 implements MigrationInterface {
      name = 'Broken1999999999999';
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('SELECT no_such_function()');
      }
      async down(): Promise<void> {}
    }
    await revertAllMigrations(dataSource);
    const broken = new DataSource({
      ...dataSource.options,
      migrations: [...MIGRATIONS, Broken1999999999999],
    });
    await broken.initialize();
    try {
      await expect(runMigrations(broken)).rejects.toThrow(/no_such_function/);
    } finally {
      await broken.destroy();
    }
    expect(await tables()).toEqual([]);
    expect(await appliedNames()).toEqual([]);
    expect(
      await query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      ),
    ).toEqual([]);

    await expect(runMigrations(dataSource)).resolves.toEqual(MIGRATION_NAMES);
  });

  it('applies each migration once when replicas start together', async () => {
    await revertAllMigrations(dataSource);
    await admin.query(`DROP TABLE ${MIGRATIONS_TABLE}`);
    const replicas = [1, 2].map((n) =>
      createDataSource(db.url, {
        applicationName: `reflex-replica-${n}`,
        poolSize: 1,
        logging: false,
      }),
    );
    try {
      await Promise.all(replicas.map((replica) => replica.initialize()));
      const results = await Promise.all(replicas.map((replica) => runMigrations(replica)));
      // One replica applied everything; the other waited for the lock and found nothing to do.
      expect(results.map((applied) => applied.length).sort()).toEqual([0, MIGRATION_NAMES.length]);
      expect(await appliedNames()).toEqual(MIGRATION_NAMES);
    } finally {
      await Promise.all(replicas.map((replica) => replica.destroy()));
    }
  });

  it('waits while another session holds the migration lock', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);

      await expect(runMigrations(dataSource, { lockTimeoutMs: 200 })).rejects.toBeInstanceOf(
        TransientError,
      );

      let finished = false;
      const waiting = runMigrations(dataSource).finally(() => (finished = true));
      await waitFor('runMigrations to queue for the advisory lock', async () => {
        const rows = await query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return rows.length === 1;
      });
      expect(finished).toBe(false);

      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await expect(waiting).resolves.toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('leaves the connection unlocked and without a lock timeout, however the run ended', async () => {
    // A pool of one, so every statement below runs on the connection runMigrations used.
    const single = await createDataSource(db.url, { poolSize: 1, logging: false }).initialize();
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await expect(runMigrations(single, { lockTimeoutMs: 50 })).rejects.toThrow(/lock/);
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      await expect(runMigrations(single)).resolves.toEqual([]);

      expect(
        await query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        ),
      ).toEqual([]);
      const [setting] = await single.query<{ lock_timeout: string }[]>('SHOW lock_timeout');
      expect(setting.lock_timeout).toBe('0');
    } finally {
      await holder.end();
      await single.destroy();
    }
  });
});
