// Batch planning (issue 18): the decisions of one intake batch share one critical section — the
// planning lock once, the live plans read once, the new plans written together. Each decision must
// still be planned as if it came alone after the ones before it. This spec runs one sequence that
// makes plans compete (for the last free capacity, for a group's only standby, for a host being
// drained), hit a cooldown and resolve, once one alarm per request and once as one batch, and
// expects the same plans, actions, conflicts and reasons.
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { Topic, topicName } from '@reflex/contracts';
import { IngestAlarmUseCase } from '../../apps/engine/src/decisions/ingest-alarm.usecase';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { sendMessages } from '../support/kafka';
import { waitFor } from '../support/wait-for';
import { host, outcome, vm } from './support/batch-outcome';

/**
 * h1 and h2 each run a 40 GB VM that only s1 has room for (h3 keeps 32 GB free, memory is not
 * overcommitted); p1..p3 hold group g (2 active + 1 standby, host anti-affinity) and room for
 * little else.
 */
function cloud(): InventoryV1 {
  return {
    hosts: [
      host('h1', 'az1'),
      host('h2', 'az1'),
      host('h3', 'az1'),
      host('s1', 'az2'),
      host('p1', 'az3', 16384),
      host('p2', 'az3', 16384),
      host('p3', 'az3', 16384),
    ],
    groups: [{ id: 'g', active: 2, standby: 1, antiAffinity: 'host' }],
    instances: [
      vm('a', 'h1', 40960),
      vm('b', 'h2', 40960),
      vm('filler', 'h3', 32768),
      vm('g-1', 'p1', 4096, { groupId: 'g', role: 'active' }),
      vm('g-2', 'p2', 4096, { groupId: 'g', role: 'active' }),
      vm('g-3', 'p3', 4096, { groupId: 'g', role: 'standby' }),
    ],
  };
}

const BASE = Date.parse('2026-11-01T00:00:00Z');

function sequence(): AlarmV1[] {
  let second = 0;
  const make = (
    id: string,
    type: string,
    kind: 'host' | 'instance',
    resource: string,
    state: 'firing' | 'resolved' = 'firing',
  ): AlarmV1 => ({
    id,
    source: 'batch',
    type,
    severity: 'critical',
    state,
    resource: { kind, id: resource },
    occurredAt: new Date(BASE + 1000 * second++).toISOString(),
  });
  return [
    make('down-h1', 'host.down', 'host', 'h1'), // failover: a onto s1, the only host with room
    make('down-h2', 'host.down', 'host', 'h2'), // failover: b finds s1 reserved by the first
    make('g1-down', 'instance.down', 'instance', 'g-1'), // switch-over: g-3 promoted
    make('g1-again', 'instance.down', 'instance', 'g-1'), // same rule and target: cooldown
    make('g2-down', 'instance.down', 'instance', 'g-2'), // g's standby is promised already
    make('maint-p3', 'host.maintenance.requested', 'host', 'p3'), // drain of the promoted standby's host
    make('down-h1', 'host.down', 'host', 'h1', 'resolved'), // closes down-h1; its plan has started
  ];
}

describe('batch planning', () => {
  const ctx = engineWithDatabase();

  const reset = () => ctx.resetTo(cloud());

  it('plans a batch of decisions as it plans them one by one', async () => {
    const alarms = sequence();
    await reset();
    for (const alarm of alarms) {
      expect((await http('POST', `${ctx.engine.url}/v1/alarms`, alarm)).status).toBe(202);
    }
    const oneByOne = (await outcome(ctx.db)) as {
      alarms: Array<{ alarm_id: string; disposition: string; reason: string }>;
      plans: Array<{ policy: string; target_id: string; state: string; messages: string }>;
      waiting: unknown[];
    };
    // The sequence covers what it claims to, so the comparison below is not of trivia.
    expect(oneByOne.alarms.map((a) => `${a.alarm_id}: ${a.disposition}`)).toEqual([
      'down-h1: triggered',
      'down-h2: triggered',
      'g1-down: triggered',
      'g1-again: suppressed',
      'g2-down: triggered',
      'maint-p3: triggered',
      'down-h1: resolved',
    ]);
    expect(oneByOne.alarms[3].reason).toMatch(/cooldown/);
    const failovers = oneByOne.plans.filter((p) => p.policy === 'host-failover');
    expect(failovers.map((p) => p.target_id)).toEqual(['h1', 'h2']);
    expect(JSON.stringify(failovers[0])).toContain('"s1"');
    // b has nowhere to go once a has s1: the second failover saw the first's reservation.
    expect(JSON.stringify(failovers[1])).not.toContain('"s1"');
    expect((failovers[1] as unknown as { reason: string }).reason).toMatch(/b .*no host has/);
    // Two decisions wait for the switch-over: conflicts are decided against the batch's own plans.
    expect(oneByOne.waiting).toHaveLength(2);
    expect(oneByOne.plans.every((p) => Number(p.messages) > 0)).toBe(true);

    await reset();
    await ctx.engine.app
      .get(IngestAlarmUseCase)
      .executeBatch(alarms.map((alarm) => ({ alarm, payload: alarm, channel: 'kafka' as const })));
    expect(await outcome(ctx.db)).toEqual(oneByOne);
  });

  it('loses and doubles nothing when the connection dies while a batch stores its plans', async () => {
    await reset();
    // The first multi-row insert of plans kills its own connection, as a crash of the engine
    // mid-batch would end it: the transaction is rolled back and the batch is delivered again. A
    // sequence is not rolled back with it, so the crash happens once.
    await ctx.db.query(`CREATE SEQUENCE crash_once`);
    await ctx.db.query(`CREATE FUNCTION crash_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('crash_once') = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
        RETURN NULL;
      END $$`);
    await ctx.db.query(`CREATE TRIGGER crash_once BEFORE INSERT ON plans
      FOR EACH STATEMENT EXECUTE FUNCTION crash_once()`);
    try {
      const downs = ['h1', 'h2', 'h3', 'p1', 'p2'].map((h, i) => ({
        id: `crash-${h}`,
        source: 'batch',
        type: 'host.down',
        severity: 'critical' as const,
        state: 'firing' as const,
        resource: { kind: 'host' as const, id: h },
        occurredAt: new Date(BASE + 1000 * i).toISOString(),
      }));
      // One key: one partition, so the five come as one batch (or a few, in order).
      await sendMessages(
        topicName(Topic.Alarms, ctx.engine.config.topicPrefix),
        downs.map((a) => ({ key: 'one-partition', value: JSON.stringify(a) })),
      );
      await waitFor('every alarm decided after the crash', async () => {
        const done = await ctx.db.query(`SELECT 1 FROM alarms WHERE disposition <> 'received'`);
        return done.rowCount === downs.length;
      });
      // The crash happened, and the batch was stored after it.
      const inserts = await ctx.db.query(`SELECT last_value FROM crash_once`);
      expect(Number(inserts.rows[0].last_value)).toBeGreaterThanOrEqual(2);
      const alarms = await ctx.db.query(
        `SELECT alarm_id, disposition, plan_id FROM alarms ORDER BY alarm_id`,
      );
      expect(alarms.rows.map((r) => `${r.alarm_id}: ${r.disposition}`)).toEqual(
        downs.map((a) => `${a.id}: triggered`).sort(),
      );
      const plans = await ctx.db.query(
        `SELECT trigger_alarm_id, count(*)::int AS n FROM plans GROUP BY 1 ORDER BY 1`,
      );
      expect(plans.rows).toEqual(
        downs
          .map((a) => ({ trigger_alarm_id: a.id, n: 1 }))
          .sort((x, y) => x.trigger_alarm_id.localeCompare(y.trigger_alarm_id)),
      );
      // Every dispatched action's command went into the outbox, once.
      const commands = await ctx.db.query(
        `SELECT value->>'actionId' AS action, count(*)::int AS n FROM outbox
          WHERE value->>'kind' = 'execute' GROUP BY 1`,
      );
      const running = await ctx.db.query(`SELECT id FROM actions WHERE state = 'running'`);
      expect(running.rowCount).toBeGreaterThanOrEqual(4);
      expect(commands.rows.map((r) => r.action).sort()).toEqual(
        running.rows.map((r) => r.id).sort(),
      );
      expect(commands.rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await ctx.db.query(`DROP TRIGGER IF EXISTS crash_once ON plans`);
      await ctx.db.query(`DROP FUNCTION IF EXISTS crash_once()`);
      await ctx.db.query(`DROP SEQUENCE IF EXISTS crash_once`);
    }
  });
});
