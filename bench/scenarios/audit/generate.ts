import type { Client } from 'pg';
import { fingerprint, type SchemaObject, schemaObjects } from './schema-objects';

/**
 * A year of audit history generated inside PostgreSQL, in the engine's real schema: `plans` plans
 * with ten actions each and a timeline of `EVENTS_PER_PLAN` lines, one INSERT ... SELECT
 * generate_series per table. Every value derives from the row number, so runs are identical.
 *
 * Loading into indexed tables costs a random index insert per row and index; instead the
 * secondary indexes and the keys are dropped, the rows loaded, and every index and constraint
 * created again from its own definition (pg_get_indexdef / pg_get_constraintdef), in one sort
 * each. The schema is compared before and after: the result is exactly what the migrations built.
 */
export const ACTIONS_PER_PLAN = 10;
/** Created, started, one line per action, finished. */
export const EVENTS_PER_PLAN = ACTIONS_PER_PLAN + 3;
export const HOSTS = 10_000;
export const INSTANCES = 200_000;
export const HISTORY_DAYS = 365;

const TABLES = ['plans', 'actions', 'plan_events', 'plan_resources'];

/**
 * `plan_resources` (GET /v1/plans?resource=) is kept from `plans.resources` by a row trigger; for a
 * bulk load the trigger is off and the table is filled in one statement, the migration's own
 * backfill.
 */
const fillPlanResources = (plans: number) => `
  INSERT INTO plan_resources (resource_id, created_at, plan_id)
  SELECT DISTINCT r, p.created_at, p.id FROM plans p CROSS JOIN LATERAL unnest(p.resources) AS r
  WHERE p.created_at BETWEEN pg_temp.b_at($2, ${plans}, $1) AND pg_temp.b_at($3, ${plans}, $1)`;

// Helpers live in pg_temp: they vanish with the session and are no part of the schema.
const FUNCTIONS = [
  `CREATE FUNCTION pg_temp.b_host(n bigint) RETURNS text LANGUAGE sql IMMUTABLE
     AS $$ SELECT 'cmp-' || lpad((n % ${HOSTS})::text, 5, '0') $$`,
  `CREATE FUNCTION pg_temp.b_vm(n bigint) RETURNS text LANGUAGE sql IMMUTABLE
     AS $$ SELECT 'vm-' || lpad((n % ${INSTANCES})::text, 6, '0') $$`,
  `CREATE FUNCTION pg_temp.b_policy(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
     SELECT CASE WHEN i % 20 < 6 THEN 'host-failover' WHEN i % 20 < 11 THEN 'host-drain'
       WHEN i % 20 < 16 THEN 'switch-over' WHEN i % 20 < 18 THEN 'restore-redundancy'
       WHEN i % 20 < 19 THEN 'migrate-off' ELSE 'host-restore' END $$`,
  `CREATE FUNCTION pg_temp.b_state(i bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
     SELECT CASE WHEN (i * 13) % 100 < 80 THEN 'succeeded' WHEN (i * 13) % 100 < 88 THEN 'failed'
       WHEN (i * 13) % 100 < 92 THEN 'rolled_back' WHEN (i * 13) % 100 < 95 THEN 'cancelled'
       WHEN (i * 13) % 100 < 98 THEN 'blocked' ELSE 'superseded' END $$`,
  // The plan's host, the k-th instance it moves, and where to.
  `CREATE FUNCTION pg_temp.b_plan_host(i bigint) RETURNS text LANGUAGE sql IMMUTABLE
     AS $$ SELECT pg_temp.b_host(i * 7919) $$`,
  `CREATE FUNCTION pg_temp.b_plan_vm(i bigint, k int) RETURNS text LANGUAGE sql IMMUTABLE
     AS $$ SELECT pg_temp.b_vm(i * 104729 + k * 15485863) $$`,
  `CREATE FUNCTION pg_temp.b_dest(i bigint, k int) RETURNS text LANGUAGE sql IMMUTABLE
     AS $$ SELECT pg_temp.b_host(i * 7919 + k * 977) $$`,
  `CREATE FUNCTION pg_temp.b_at(i bigint, plans bigint, t0 timestamptz) RETURNS timestamptz
     LANGUAGE sql IMMUTABLE AS $$
     SELECT t0 - interval '${HISTORY_DAYS} days'
       + make_interval(secs => (i * ${HISTORY_DAYS}.0 * 86400 / plans)::bigint) $$`,
  `CREATE FUNCTION pg_temp.b_uuid(kind text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE
     AS $$ SELECT md5(kind || n)::uuid $$`,
];

const insertPlans = (plans: number) => `
  INSERT INTO plans (id, state, policy, mode, target_kind, target_id, trigger_alarm_id,
    trigger_source, trigger_rule, trigger_rule_version, trigger_rule_hash, reason, explanation,
    on_failure, resources, created_at, started_at, finished_at, superseded_by)
  SELECT pg_temp.b_uuid('p', i), st, pol, 'auto',
    CASE WHEN pol IN ('switch-over', 'restore-redundancy') THEN 'instance' ELSE 'host' END,
    CASE WHEN pol IN ('switch-over', 'restore-redundancy') THEN pg_temp.b_plan_vm(i, 1) ELSE h END,
    'aodh-' || i, 'aodh', 'bench-' || pol, 1, 'sha256:' || md5(pol),
    CASE WHEN st = 'succeeded' THEN NULL ELSE 'bench: ' || st || ' after action 3' END,
    jsonb_build_object(
      'rule', jsonb_build_object('name', 'bench-' || pol, 'version', 1, 'hash', 'sha256:' || md5(pol)),
      'alarm', jsonb_build_object('id', 'aodh-' || i, 'source', 'aodh', 'type', 'host.down'),
      'params', '{}'::jsonb, 'decision', NULL, 'placements', '[]'::jsonb,
      'notes', '[]'::jsonb,
      'checks', jsonb_build_array('group grp-' || (i % 5000) || ': healthy actives 39->39 (needs 39), healthy standbys 1->1 (needs 1)')),
    CASE WHEN pol = 'host-failover' THEN 'continue' ELSE 'rollback' END,
    ARRAY[h] || ARRAY(SELECT pg_temp.b_plan_vm(i, k) FROM generate_series(1, ${ACTIONS_PER_PLAN - 1}) k)
             || ARRAY(SELECT pg_temp.b_dest(i, k) FROM generate_series(1, 3) k),
    at, at + interval '1 second',
    at + make_interval(secs => 30 + i % 600), NULL
  FROM generate_series($2::bigint, $3::bigint) i,
    LATERAL (SELECT pg_temp.b_policy(i) AS pol, pg_temp.b_state(i) AS st,
                    pg_temp.b_plan_host(i) AS h, pg_temp.b_at(i, ${plans}, $1) AS at) x`;

const insertActions = (plans: number) => `
  INSERT INTO actions (id, plan_id, seq, type, params, depends_on, state, attempts, progress,
    started_at, finished_at, error, compensation_for, deadline, host_ids, created_at)
  SELECT pg_temp.b_uuid('a', j), pid, seq, typ,
    CASE typ
      WHEN 'fence-host' THEN jsonb_build_object('hostId', h)
      WHEN 'set-host-status' THEN jsonb_build_object('hostId', h, 'status', 'disabled', 'previousStatus', 'up')
      WHEN 'switch-over' THEN jsonb_build_object('groupId', 'grp-' || (i % 5000),
        'fromInstanceId', pg_temp.b_plan_vm(i, 1), 'toInstanceId', pg_temp.b_plan_vm(i, 2))
      WHEN 'recover-instance' THEN jsonb_build_object('instanceId', pg_temp.b_plan_vm(i, 1))
      ELSE jsonb_build_object('instanceId', pg_temp.b_plan_vm(i, seq - 1), 'fromHostId', h,
        'toHostId', pg_temp.b_dest(i, (seq % 3) + 1))
    END,
    CASE WHEN seq = 1 THEN '{}'::uuid[] ELSE ARRAY[first] END,
    ast, 1, CASE WHEN ast = 'succeeded' THEN 100 ELSE 0 END,
    CASE WHEN ast = 'skipped' THEN NULL ELSE at + make_interval(secs => seq) END,
    at + make_interval(secs => 30 + seq),
    CASE WHEN ast = 'failed' THEN 'destination-full: no room for the instance' END,
    NULL,
    at + make_interval(secs => 1800 + seq),
    CASE WHEN typ IN ('fence-host', 'set-host-status') THEN ARRAY[h]
         WHEN typ IN ('switch-over', 'recover-instance') THEN '{}'::text[]
         ELSE ARRAY[h, pg_temp.b_dest(i, (seq % 3) + 1)] END,
    at
  FROM generate_series($2::bigint, $3::bigint) i,
    -- Plan-level values once per plan, then its actions.
    LATERAL (SELECT pg_temp.b_policy(i) AS pol, pg_temp.b_state(i) AS st,
                    pg_temp.b_plan_host(i) AS h, pg_temp.b_at(i, ${plans}, $1) AS at,
                    pg_temp.b_uuid('p', i) AS pid,
                    pg_temp.b_uuid('a', (i - 1) * ${ACTIONS_PER_PLAN}) AS first) x,
    -- Action numbers j of plan i: a series that depends on i runs once per plan, so a plan's
    -- actions are stored side by side, as the engine inserts them. A series of seq alone let the
    -- planner loop over seq outermost, which put each plan's ten actions a tenth of the table apart.
    generate_series((i - 1) * ${ACTIONS_PER_PLAN}, i * ${ACTIONS_PER_PLAN} - 1) j,
    LATERAL (SELECT (j - (i - 1) * ${ACTIONS_PER_PLAN} + 1)::int AS seq) s,
    LATERAL (SELECT
      CASE WHEN seq = 1 THEN CASE pol WHEN 'host-failover' THEN 'fence-host'
                                      WHEN 'switch-over' THEN 'switch-over'
                                      WHEN 'restore-redundancy' THEN 'recover-instance'
                                      ELSE 'set-host-status' END
           WHEN pol = 'host-failover' THEN 'evacuate'
           ELSE 'live-migrate' END AS typ,
      CASE WHEN st = 'succeeded' THEN 'succeeded'
           WHEN st = 'failed' THEN CASE WHEN seq < 3 THEN 'succeeded' WHEN seq = 3 THEN 'failed' ELSE 'skipped' END
           WHEN st = 'rolled_back' THEN CASE WHEN seq < 3 THEN 'compensated' WHEN seq = 3 THEN 'failed' ELSE 'skipped' END
           ELSE 'skipped' END AS ast) y`;

const insertEvents = (plans: number) => `
  INSERT INTO plan_events (plan_id, action_id, at, type, from_state, to_state, detail)
  SELECT pg_temp.b_uuid('p', i),
    CASE WHEN e BETWEEN 2 AND ${ACTIONS_PER_PLAN + 1}
         THEN pg_temp.b_uuid('a', (i - 1) * ${ACTIONS_PER_PLAN} + e - 2) END,
    at + make_interval(secs => e),
    CASE WHEN e BETWEEN 2 AND ${ACTIONS_PER_PLAN + 1} THEN 'action.state' ELSE 'plan.state' END,
    CASE WHEN e = 0 THEN NULL WHEN e = 1 THEN 'pending' ELSE 'running' END,
    CASE WHEN e = 0 THEN 'pending' WHEN e = 1 THEN 'running'
         WHEN e = ${EVENTS_PER_PLAN - 1} THEN pg_temp.b_state(i) ELSE 'succeeded' END,
    CASE WHEN e = 0 THEN jsonb_build_object('reason', NULL, 'actions', ${ACTIONS_PER_PLAN},
           'trigger', jsonb_build_object('alarmId', 'aodh-' || i, 'source', 'aodh'))
         ELSE jsonb_build_object('by', 'driver', 'attempt', 1) END
  FROM generate_series($2::bigint, $3::bigint) i,
    LATERAL (SELECT pg_temp.b_at(i, ${plans}, $1) AS at) x,
    generate_series(0, ${EVENTS_PER_PLAN - 1}) e`;

export interface Generated {
  plans: number;
  actions: number;
  events: number;
  /** Seconds per step, in order. */
  steps: Array<{ step: string; seconds: number }>;
}

/**
 * Generates the history over `sessions` connections (one per core: INSERT ... SELECT runs on one
 * core, and index builds on a table without them go in parallel too), the first of which also
 * drops and rebuilds the keys.
 */
export async function generateHistory(
  sessions: Client[],
  plans: number,
  log: (message: string) => void,
): Promise<Generated> {
  const [db] = sessions;
  const steps: Generated['steps'] = [];
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const t0 = Date.now();
    await work();
    const seconds = (Date.now() - t0) / 1000;
    steps.push({ step: name, seconds });
    log(`audit data: ${name} in ${seconds.toFixed(1)} s`);
  };
  for (const session of sessions) {
    await session.query(`SET synchronous_commit = off`);
    await session.query(`SET maintenance_work_mem = '512MB'`);
    await session.query(`SET work_mem = '64MB'`);
    for (const sql of FUNCTIONS) await session.query(sql);
  }
  // Plans 1..n split into one contiguous range per session.
  const parallel = (sql: string, t0: Date) =>
    Promise.all(
      sessions.map((session, k) => {
        const from = Math.floor((plans * k) / sessions.length) + 1;
        const to = Math.floor((plans * (k + 1)) / sessions.length);
        return session.query(sql, [t0, from, to]);
      }),
    );
  // Statements shared out over the sessions, each taking the next as it finishes.
  const pool = async (statements: Array<{ name: string; sql: string }>) => {
    const queue = [...statements];
    await Promise.all(
      sessions.map(async (session) => {
        for (let s = queue.shift(); s; s = queue.shift()) {
          const { name, sql } = s;
          await timed(name, () => session.query(sql));
        }
      }),
    );
  };

  const existing = await db.query<{ t: string }>(
    `SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL`,
    [TABLES],
  );
  const tables = existing.rows.map((r) => r.t);
  const before = await schemaObjects(db, tables);
  const t0 = (await db.query<{ t0: Date }>(`SELECT date_trunc('second', now()) AS t0`)).rows[0].t0;
  const constraints = (types: string[]) =>
    before.filter((o) => o.kind === 'constraint' && types.includes(o.type ?? ''));
  const indexes = before.filter((o) => o.kind === 'index');
  await timed('drop keys and indexes', () =>
    db.query(
      [
        ...constraints(['f']).map((o) => `ALTER TABLE ${o.table} DROP CONSTRAINT ${o.name}`),
        ...constraints(['p', 'u']).map((o) => `ALTER TABLE ${o.table} DROP CONSTRAINT ${o.name}`),
        ...indexes.map((o) => `DROP INDEX ${o.name}`),
      ].join(';\n'),
    ),
  );
  const hasPlanResources = tables.includes('plan_resources');
  await db.query(`ALTER TABLE plans DISABLE TRIGGER USER`);
  try {
    await timed(`${plans} plans`, () => parallel(insertPlans(plans), t0));
    if (hasPlanResources) {
      await timed('plan_resources', () => parallel(fillPlanResources(plans), t0));
    }
  } finally {
    await db.query(`ALTER TABLE plans ENABLE TRIGGER USER`);
  }
  await timed(`${plans * ACTIONS_PER_PLAN} actions`, () => parallel(insertActions(plans), t0));
  await timed(`${plans * EVENTS_PER_PLAN} timeline lines`, () => parallel(insertEvents(plans), t0));
  // Keys take an exclusive lock on their table, so only one per table at a time; plain indexes
  // share theirs and build side by side.
  const byTable = (objects: SchemaObject[], sql: (o: SchemaObject) => string) =>
    tables.flatMap((table) => {
      const mine = objects.filter((o) => o.table === table);
      return mine.length
        ? [{ name: mine.map((o) => o.name).join(', '), sql: mine.map(sql).join(';\n') }]
        : [];
    });
  const addConstraint = (o: SchemaObject) =>
    `ALTER TABLE ${o.table} ADD CONSTRAINT ${o.name} ${o.definition}`;
  await pool(byTable(constraints(['p', 'u']), addConstraint));
  await pool(indexes.map((o) => ({ name: o.name, sql: o.definition })));
  // Foreign keys lock two tables each: one after the other, so two never wait on each other.
  for (const o of constraints(['f'])) await timed(o.name, () => db.query(addConstraint(o)));
  const after = await schemaObjects(db, tables);
  if (fingerprint(after) !== fingerprint(before)) {
    throw new Error('the schema after loading differs from the one the migrations built');
  }
  // A year of history has long been vacuumed by autovacuum: its pages are all-visible (index-only
  // scans skip the heap) and hinted. Right after a bulk load they are not, and autovacuum would start
  // on these tables in the middle of the measurements.
  await pool(tables.map((t) => ({ name: `VACUUM ${t}`, sql: `VACUUM (ANALYZE) ${t}` })));
  return {
    plans,
    actions: plans * ACTIONS_PER_PLAN,
    events: plans * EVENTS_PER_PLAN,
    steps,
  };
}
