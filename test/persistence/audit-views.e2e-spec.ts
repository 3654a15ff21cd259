// The example queries of docs/audit.md, read from the document itself and run on plans a real engine
// made from alarms (real Kafka, PostgreSQL; a scripted driver answers its commands). Each result is
// checked against what happened and against the REST API's answer to the same question, so the
// doc, the views (migration AuditViews1795600000000) and the API cannot drift apart unnoticed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlarmV1 } from '@reflex/contracts';
import { Client } from 'pg';
import { http } from '../support/http';
import { uniqueSuffix } from '../support/wait-for';
import { fail, success } from '../support/driver-stand-in';
import { host, inventory, planSpec, vm } from '../plans/support/plan-fixtures';

/** The SQL block after `<!-- example: name -->`, with `:'var'` psql variables as $1, $2, ... */
function example(name: string): { sql: string; variables: string[] } {
  const doc = readFileSync(join(__dirname, '../../docs/audit.md'), 'utf8');
  const found = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`sql\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!found) throw new Error(`docs/audit.md has no example ${name}`);
  const variables: string[] = [];
  const sql = found[1].replace(/:'(\w+)'/g, (_, variable: string) => {
    if (!variables.includes(variable)) variables.push(variable);
    return `$${variables.indexOf(variable) + 1}`;
  });
  return { sql: sql.trim().replace(/;$/, ''), variables };
}

const alarm = (type: string, hostId: string): AlarmV1 => ({
  id: `audit-${type}-${hostId}-${uniqueSuffix()}`,
  source: 'audit-views',
  type,
  severity: 'critical',
  state: 'firing',
  resource: { kind: 'host', id: hostId },
  occurredAt: new Date(Date.now() - 5000).toISOString(),
});

describe('the audit views and the example queries of docs/audit.md (real engine, Kafka, PostgreSQL)', () => {
  let db: Client;
  // Declared first, so it runs first: engineWithDriver's own afterAll drops the database.
  afterAll(async () => {
    await db?.end();
  });
  const ctx = planSpec();
  const started = new Date(Date.now() - 60_000);
  /** host-failover of a1: its evacuation fails once (retriable), then succeeds. */
  let failover: { id: string; alarm: AlarmV1 };
  /** migrate-off of a2: its live migration fails for good. */
  let migrateOff: { id: string; alarm: AlarmV1 };

  async function run(name: string, values: Record<string, string> = {}) {
    const { sql, variables } = example(name);
    return (
      await db.query(
        sql,
        variables.map((v) => values[v]),
      )
    ).rows;
  }

  async function planFor(a: AlarmV1): Promise<{ id: string; alarm: AlarmV1 }> {
    const res = await http('POST', `${ctx.engine.url}/v1/alarms`, a);
    expect(res).toMatchObject({ status: 202, body: { items: [{ disposition: 'triggered' }] } });
    return { id: res.body.items[0].planId as string, alarm: a };
  }

  beforeAll(async () => {
    ctx.driver.use((c) => {
      if (c.type === 'evacuate' && c.attempt === 1) return fail('host-unreachable', true);
      if (c.type === 'live-migrate') return fail('operation-failed', false);
      return success();
    });
    // a1 and a2 each hold a VM; a3 is empty, so both moves go there.
    const put = await http(
      'PUT',
      `${ctx.engine.url}/v1/inventory`,
      inventory([host('a1'), host('a2'), host('a3')], [vm('av-1', 'a1'), vm('av-2', 'a2')]),
    );
    expect(put.status).toBe(200);
    db = new Client({ connectionString: ctx.engine.database.url });
    await db.connect();

    failover = await planFor(alarm('host.down', 'a1'));
    await ctx.waitForPlanState(failover.id, 'succeeded');
    migrateOff = await planFor(alarm('host.hardware.degraded', 'a2'));
    await ctx.waitForPlanState(migrateOff.id, 'failed');
  }, 120_000);

  it('plans by resource: newest first, as GET /v1/plans?resource= answers', async () => {
    const rows = await run('plans-by-resource', { resource: 'a3' });
    expect(rows.map((r) => [r.plan_id, r.policy, r.state, r.rule])).toEqual([
      [migrateOff.id, 'migrate-off', 'failed', 'host-hardware-degraded-migrate-off'],
      [failover.id, 'host-failover', 'succeeded', 'host-down-failover'],
    ]);
    expect(rows[0].reason).toMatch(/^failed: live-migrate av-2 a2 -> a3 failed: operation-failed/);
    for (const resource of ['a1', 'a2', 'a3', 'av-1', 'av-2']) {
      const api = await http('GET', `${ctx.engine.url}/v1/plans?resource=${resource}`);
      const sql = await run('plans-by-resource', { resource });
      expect(sql.map((r) => r.plan_id)).toEqual(api.body.items.map((p: { id: string }) => p.id));
    }
  });

  it('time to recover by policy: the figures of GET /v1/stats, from the alarm to success', async () => {
    const rows = await run('time-to-recover-by-policy');
    expect(rows.map((r) => [r.policy, Number(r.plans), Number(r.recovered)])).toEqual([
      ['host-failover', 1, 1],
      ['migrate-off', 1, 0],
    ]);
    const [recovered] = (
      await db.query(`SELECT finished_at FROM plans WHERE id = $1`, [failover.id])
    ).rows;
    const seconds =
      (recovered.finished_at.getTime() - Date.parse(failover.alarm.occurredAt)) / 1000;
    expect(Number(rows[0].median_seconds)).toBeCloseTo(seconds, 2);
    expect(Number(rows[0].p95_seconds)).toBeCloseTo(seconds, 2);
    expect(rows[1]).toMatchObject({ median_seconds: null, p95_seconds: null });

    const stats = await http(
      'GET',
      `${ctx.engine.url}/v1/stats?from=${started.toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    const byPolicy = new Map(
      (stats.body.items as Array<{ policy: string; medianSecondsToSuccess: number | null }>).map(
        (s) => [s.policy, s.medianSecondsToSuccess],
      ),
    );
    expect(byPolicy.get('host-failover')).toBeCloseTo(Number(rows[0].median_seconds), 3);
    expect(byPolicy.get('migrate-off')).toBeNull();
  });

  it('failures by error: every failed attempt, also one retried to success', async () => {
    const rows = await run('failures-by-error');
    expect(
      rows.map((r) => [
        r.error_code,
        r.action_type,
        Number(r.failures),
        Number(r.plans),
        Number(r.later_succeeded),
      ]),
    ).toEqual([
      ['host-unreachable', 'evacuate', 1, 1, 1],
      ['operation-failed', 'live-migrate', 1, 1, 0],
    ]);
    expect(rows.every((r) => r.last_seen instanceof Date && r.last_seen >= started)).toBe(true);
    const [evacuation] = (
      await db.query(`SELECT * FROM reflex_action_failures WHERE plan_id = $1`, [failover.id])
    ).rows;
    expect(evacuation).toMatchObject({
      policy: 'host-failover',
      plan_state: 'succeeded',
      action_state: 'succeeded',
      instance_id: 'av-1',
      attempt: 1,
      error: 'host-unreachable: scripted host-unreachable',
    });
    expect(evacuation.host_ids.sort()).toEqual(['a1', 'a3']);
  });

  it('a plan timeline: the lines of GET /v1/plans/:id/events, in order', async () => {
    for (const plan of [failover, migrateOff]) {
      const rows = await run('plan-timeline', { plan: plan.id });
      const api = await http('GET', `${ctx.engine.url}/v1/plans/${plan.id}/events?limit=1000`);
      const items = api.body.items as Array<{ type: string; actionId: string | null; to: string }>;
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.map((r) => [r.type, r.action_id, r.to_state])).toEqual(
        items.map((e) => [e.type, e.actionId, e.to]),
      );
    }
  });
});
