// CONTRACT §9, failovers in parallel: 50 hosts sharing N+1 groups fail at once. Every failover is
// planned at once against the state the others will leave (no decision waits for another plan), all
// of them run side by side, no standby is promoted twice, and every instance is back up. Alarms in
// through HTTP, shipped rules, the real broker and database; the driver is a scripted stand-in that
// holds every move and promotion until all 50 plans have one under way.
import type { AlarmV1 } from '@reflex/contracts';
import type { ExecutablePlan } from '@reflex/domain';
import { DataSource } from 'typeorm';
import { http } from '../support/http';
import { alarm } from '../support/topology';
import { waitFor } from '../support/wait-for';
import { succeed, success } from '../support/driver-stand-in';
import { group, host, inventory, member, planSpec, vm } from './support/plan-fixtures';

const ZONES = 5;
const FAILING = 10; // per zone: 50 in all, under half of each zone (storm guard stays quiet)
const SURVIVING = 11;

/**
 * Per zone: group j (1..5) has actives on failing hosts f(2j-1) and f(2j) and on survivor s(j), and
 * its one standby on s(j+5); so the two failovers of f(2j-1) and f(2j) share group j and its single
 * standby. Each failing host also runs a plain VM.
 */
function storm() {
  const hosts = [];
  const instances = [];
  const groups = [];
  for (let z = 1; z <= ZONES; z++) {
    const zone = `z${z}`;
    for (let i = 1; i <= FAILING; i++) hosts.push(host(`${zone}-f${i}`, { zone }));
    for (let i = 1; i <= SURVIVING; i++) hosts.push(host(`${zone}-s${i}`, { zone }));
    for (let j = 1; j <= FAILING / 2; j++) {
      const g = `${zone}-g${j}`;
      groups.push(group(g, { active: 3, standby: 1 }));
      instances.push(
        member(`${g}-a1`, `${zone}-f${2 * j - 1}`, g, 'active'),
        member(`${g}-a2`, `${zone}-f${2 * j}`, g, 'active'),
        member(`${g}-a3`, `${zone}-s${j}`, g, 'active'),
        member(`${g}-s`, `${zone}-s${j + 5}`, g, 'standby'),
      );
    }
    for (let i = 1; i <= FAILING; i++) instances.push(vm(`${zone}-f${i}-vm`, `${zone}-f${i}`));
  }
  return inventory(hosts, instances, groups);
}

const failing = Array.from({ length: ZONES }, (_, z) =>
  Array.from({ length: FAILING }, (_, i) => `z${z + 1}-f${i + 1}`),
).flat();

const held = (type: string) => type === 'switch-over' || type === 'evacuate';

// 50 plans of 4 to 6 steps each, every step a transaction on the real database: minutes on a busy
// two-core machine running other specs beside this one.
const SLOW = 300_000;

describe('failovers in parallel: 50 hosts sharing N+1 groups fail at once', () => {
  // The held moves are silent on purpose, for as long as a busy machine takes to dispatch all 50:
  // the engine must not ask the driver about them again meanwhile (ACTION_INQUIRY_SECONDS, 60 by
  // default), or its inquiry would count here as a command sent twice.
  const ctx = planSpec({ ACTION_INQUIRY_SECONDS: '3600' });
  let plans: ExecutablePlan[];

  beforeAll(() => ctx.seed(storm()));

  it(
    'plans every failover at once: none waits for another plan',
    async () => {
      // Moves and promotions are held until every plan has one under way; fences go through.
      ctx.driver.use((c) => (held(c.type) ? 'silent' : succeed()(c)));
      const alarms: AlarmV1[] = failing.map((id) =>
        alarm('host.down', 'host', id, { id: `storm-${id}`, source: 'parallel-test' }),
      );
      const res = await http<{ items: Array<{ disposition: string; planId: string | null }> }>(
        'POST',
        `${ctx.engine.url}/v1/alarms`,
        alarms,
      );
      expect(res.status).toBe(202);
      expect(res.body.items.map((d) => d.disposition)).toEqual(Array(50).fill('triggered'));
      expect(res.body.items.every((d) => d.planId !== null)).toBe(true);
      const waiting = await ctx.engine.app
        .get(DataSource)
        .query<{ n: string }[]>(`SELECT count(*)::text AS n FROM deferred_intents`);
      expect(waiting[0].n).toBe('0');
      plans = await Promise.all(res.body.items.map((d) => ctx.getPlan(d.planId!)));
      expect(plans.map((p) => p.policy)).toEqual(Array(50).fill('host-failover'));
      expect(plans.map((p) => p.trigger.rule)).toEqual(Array(50).fill('host-down-failover'));
    },
    SLOW,
  );

  it(
    'runs them side by side: all 50 have a move or promotion with the driver at once',
    async () => {
      await waitFor(
        'every plan to have a held move or promotion with the driver',
        () => plans.every((p) => ctx.driver.executes(p.id).some((c) => held(c.type))),
        { timeoutMs: SLOW - 30_000 },
      );
      // None has finished: each is waiting on the driver for what it holds.
      const states = await Promise.all(plans.map(async (p) => (await ctx.getPlan(p.id)).state));
      expect(new Set(states)).toEqual(new Set(['running']));
    },
    SLOW,
  );

  it(
    'promotes no standby twice, and brings every instance back up',
    async () => {
      ctx.driver.use(succeed());
      for (const c of ctx.driver.commands.filter((c) => c.kind === 'execute' && held(c.type))) {
        await ctx.driver.release(c.actionId, success());
      }
      const done = await Promise.all(
        plans.map((p) => ctx.waitForPlanState(p.id, ['succeeded', 'failed'], SLOW - 60_000)),
      );
      expect(done.filter((p) => p.state !== 'succeeded').map((p) => [p.id, p.reason])).toEqual([]);

      const promoted = done.flatMap((p) =>
        p.actions.flatMap((a) =>
          a.type === 'switch-over' ? [(a.params as { toInstanceId: string }).toInstanceId] : [],
        ),
      );
      // One promotion per group (its single standby), for one of its two failed actives.
      expect(promoted).toHaveLength(25);
      expect(new Set(promoted).size).toBe(25);

      const inv = await ctx.currentInventory();
      const status = new Map(inv.hosts.map((h) => [h.id, h.status]));
      const down = inv.instances.filter(
        (i) => i.state !== 'running' || status.get(i.hostId) !== 'up',
      );
      expect(down.map((i) => `${i.id} ${i.state} on ${i.hostId}`)).toEqual([]);
      // Every group has its three actives serving again, on distinct hosts.
      for (const g of inv.groups) {
        const members = inv.instances.filter((i) => i.groupId === g.id);
        expect(members.filter((m) => m.role === 'active')).toHaveLength(3);
        expect(new Set(members.map((m) => m.hostId)).size).toBe(members.length);
      }
      expect(ctx.driver.duplicates()).toEqual([]);
    },
    SLOW,
  );
});
