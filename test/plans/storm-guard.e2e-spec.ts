// CONTRACT §9, storm guard: when hosts reported down in the last 120 s reach half of a zone's hosts
// (and at least 3), the shipped rule host-down-storm-guard holds further failovers in that zone for
// approval; failovers already running go on; one call releases every held plan. On the real broker
// and database, with the shipped rules, alarms in through HTTP as a monitoring system sends them.
import type { AlarmV1 } from '@reflex/contracts';
import type { ExecutablePlan } from '@reflex/domain';
import { IngestAlarmUseCase } from '../../apps/engine/src/decisions/ingest-alarm.usecase';
import type { TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { alarm } from '../support/topology';
import { waitFor } from '../support/wait-for';
import { host, inventory, planSpec, vm } from './support/plan-fixtures';

interface Decided {
  id: string;
  disposition: string;
  planId: string | null;
  reason: string | null;
}

const hostDown = (hostId: string, tag: string): AlarmV1 =>
  alarm('host.down', 'host', hostId, { id: `${tag}-${hostId}`, source: 'storm-test' });

/** Zone `zone` of `n` hosts `<zone>-h<i>`, each running one VM. */
function zoneOf(zone: string, n: number) {
  const hosts = Array.from({ length: n }, (_, i) => host(`${zone}-h${i + 1}`, { zone }));
  return { hosts, instances: hosts.map((h) => vm(`${h.id}-vm`, h.id)) };
}

async function post(engine: TestEngine, alarms: AlarmV1[]): Promise<Decided[]> {
  const res = await http<{ items: Decided[] }>('POST', `${engine.url}/v1/alarms`, alarms);
  expect(res.status).toBe(202);
  return res.body.items;
}

describe('storm guard', () => {
  const ctx = planSpec();

  beforeAll(async () => {
    const a = zoneOf('za', 8);
    const b = zoneOf('zb', 8);
    const c = zoneOf('zc', 6);
    // Room for every evacuation: a spare zone of big, empty hosts.
    const spare = Array.from({ length: 4 }, (_, i) =>
      host(`spare-h${i + 1}`, { zone: 'spare', capacity: { vcpus: 64, memoryMb: 131072 } }),
    );
    await ctx.seed(
      inventory(
        [...a.hosts, ...b.hosts, ...c.hosts, ...spare],
        [...a.instances, ...b.instances, ...c.instances],
      ),
    );
  });

  const plans = (decided: Array<Pick<Decided, 'planId'>>) =>
    Promise.all(decided.map((d) => ctx.getPlan(d.planId!)));
  const held = (all: ExecutablePlan[]) => all.filter((p) => p.state === 'pending_approval');

  it('6 of 8 hosts down in one batch: the first 3 fail over at once, the rest wait for approval', async () => {
    // One batch, as the alarms consumer decides a partition's worth.
    const decided = await ctx.engine.app.get(IngestAlarmUseCase).executeBatch(
      [1, 2, 3, 4, 5, 6].map((i) => {
        const alarm = hostDown(`za-h${i}`, 'batch');
        return { alarm, payload: alarm, channel: 'kafka' as const };
      }),
    );
    expect(decided.map((d) => d.disposition)).toEqual(Array(6).fill('triggered'));
    const made = await plans(decided);
    // Decided in order, each as if alone: the 4th report reaches half of za's 8 hosts.
    expect(made.map((p) => p.trigger.rule)).toEqual([
      ...Array(3).fill('host-down-failover'),
      ...Array(3).fill('host-down-storm-guard'),
    ]);
    for (const p of made.slice(3)) {
      expect(p.state).toBe('pending_approval');
      expect(p.reason).toMatch(/^storm guard: /);
      expect(p.policy).toBe('host-failover');
      expect(p.actions.map((a) => a.type)).toContain('fence-host');
    }
    // The decision explains itself with the fact's values.
    expect(decided[3].reason).toContain('host-down-storm-guard');
    for (const p of made.slice(0, 3)) await ctx.waitForPlanState(p.id, 'succeeded');
    // Nothing of the held plans reached the driver.
    for (const p of made.slice(3)) expect(ctx.driver.executes(p.id)).toEqual([]);
  });

  it('concurrent alarms, one request each, count each other: exactly 3 run and 3 wait', async () => {
    const decided = (
      await Promise.all(
        [1, 2, 3, 4, 5, 6].map((i) => post(ctx.engine, [hostDown(`zb-h${i}`, 'one')])),
      )
    ).flat();
    const made = await plans(decided);
    expect(held(made)).toHaveLength(3);
    const running = made.filter((p) => p.trigger.rule === 'host-down-failover');
    expect(running).toHaveLength(3);
    for (const p of running) await ctx.waitForPlanState(p.id, 'succeeded');
  });

  it('a zone below the threshold is not held', async () => {
    const decided = await post(ctx.engine, [
      hostDown('zc-h1', 'below'),
      hostDown('zc-h2', 'below'),
    ]);
    const made = await plans(decided);
    expect(made.map((p) => p.trigger.rule)).toEqual(['host-down-failover', 'host-down-failover']);
    for (const p of made) await ctx.waitForPlanState(p.id, 'succeeded');
  });

  it('one call approves every plan the storm held, zone by zone, and they run', async () => {
    const waiting = async () =>
      (
        await http<{ items: ExecutablePlan[] }>(
          'GET',
          `${ctx.engine.url}/v1/plans?state=pending_approval&limit=100`,
        )
      ).body.items;
    const before = await waiting();
    expect(before).toHaveLength(6);

    const bad = await http('POST', `${ctx.engine.url}/v1/plans/approve`, { reasonprefix: 'x' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('reasonprefix');
    const none = await http('POST', `${ctx.engine.url}/v1/plans/approve`, {});
    expect(none.status).toBe(400);

    const other = await http('POST', `${ctx.engine.url}/v1/plans/approve`, {
      reasonPrefix: 'storm guard:',
      zone: 'zc',
    });
    expect(other.body).toEqual({ items: [], approved: 0, more: false });

    const za = await http<{ items: Array<{ planId: string; outcome: string }>; approved: number }>(
      'POST',
      `${ctx.engine.url}/v1/plans/approve`,
      { reasonPrefix: 'storm guard:', zone: 'za', reason: 'checked: the rack really lost power' },
    );
    expect(za.status).toBe(200);
    expect(za.body.approved).toBe(3);
    const zaIds = za.body.items.map((i) => i.planId);
    for (const id of zaIds) await ctx.waitForPlanState(id, 'succeeded');
    expect((await waiting()).map((p) => p.target.id).every((id) => id.startsWith('zb-'))).toBe(
      true,
    );

    const rest = await http<{ items: Array<{ planId: string; outcome: string }> }>(
      'POST',
      `${ctx.engine.url}/v1/plans/approve`,
      { reasonPrefix: 'storm guard:' },
    );
    expect(rest.body.items.map((i) => i.outcome)).toEqual(Array(3).fill('approved'));
    for (const { planId } of rest.body.items) await ctx.waitForPlanState(planId, 'succeeded');
    await waitFor('no plan left waiting', async () => (await waiting()).length === 0);

    // By ids: each answered with its own outcome.
    const again = await http<{ items: Array<{ planId: string; outcome: string; state: string }> }>(
      'POST',
      `${ctx.engine.url}/v1/plans/approve`,
      { ids: [zaIds[0], '00000000-0000-4000-8000-000000000000'] },
    );
    expect(again.body.items).toEqual([
      expect.objectContaining({ planId: zaIds[0], outcome: 'conflict', state: 'succeeded' }),
      expect.objectContaining({ outcome: 'not_found', state: null }),
    ]);
  });
});
