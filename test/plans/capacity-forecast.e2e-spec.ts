// Failover capacity (issue 19, CONTRACT §10) through the real engine and database: host, rack and
// zone forecasts over an inventory seeded with PUT /v1/inventory, a live plan's reservations
// changing the answer, the /metrics gauge following the inventory, a group's shared failure
// domains in its status, a bad domain answered 400, and the capacity.unsurvivable alarm the watch
// raises into the intake (routed by the shipped notify rule) and resolves as the inventory changes.
import type { HostV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { CapacityForecast } from '@reflex/domain';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { waitFor } from '../support/wait-for';
import {
  createPlan,
  group,
  host,
  hostRef,
  intent,
  inventory,
  member,
  vm,
} from './support/plan-fixtures';

const inRack = (id: string, zone: string, rack: string, over: Partial<HostV1> = {}): HostV1 =>
  host(id, { zone, labels: { rack }, ...over });
const sized = (vcpus: number) => ({ resources: { vcpus, memoryMb: 4096 } });

/**
 * az1/r1: c1 (VM a, 12 vCPU; db's active) and c2 (VM b, 12 vCPU; db's standby); az1/r2: c3, empty;
 * az2/r9: c4 with a 6-vCPU baremetal and no standby. c3 takes one 12-vCPU VM, c4 none.
 */
const cloud = (c4: Partial<HostV1> = {}): InventoryV1 =>
  inventory(
    [
      inRack('c1', 'az1', 'r1'),
      inRack('c2', 'az1', 'r1'),
      inRack('c3', 'az1', 'r2'),
      inRack('c4', 'az2', 'r9', c4),
    ],
    [
      vm('a', 'c1', sized(12)),
      vm('b', 'c2', sized(12)),
      member('db-a', 'c1', 'db', 'active', sized(2)),
      member('db-s', 'c2', 'db', 'standby', sized(2)),
      vm('metal', 'c4', { kind: 'baremetal', ...sized(6) }),
    ],
    [group('db')],
  );

describe('capacity forecast (real engine and PostgreSQL)', () => {
  // No overcommit: the hosts offer what they have, so the sums below are the whole story. The
  // watch runs every second.
  const ctx = engineWithDatabase({ CPU_OVERCOMMIT: '1', CAPACITY_METRIC_SECONDS: '1' });
  const forecast = async (domain: string) => {
    const res = await http<CapacityForecast>(
      'GET',
      `${ctx.engine.url}/v1/capacity/forecast?domain=${domain}`,
    );
    expect(res.status).toBe(200);
    return res.body;
  };
  const item = (f: CapacityForecast, id: string) => f.items.find((i) => i.id === id)!;
  const unsurvivable = (f: CapacityForecast) =>
    f.items.filter((i) => !i.survivable).map((i) => i.id);
  const gauge = async (domain: string) => {
    const text = (await http<string>('GET', `${ctx.engine.url}/metrics`)).body;
    const line = new RegExp(
      `^reflex_failover_unsurvivable_domains\\{domain="${domain}"\\} (\\d+)$`,
      'm',
    );
    return Number(line.exec(text)?.[1]);
  };

  const rounds = async () => {
    const text = (await http<string>('GET', `${ctx.engine.url}/metrics`)).body;
    return Number(/^reflex_capacity_watch_rounds_total (\d+)$/m.exec(text)?.[1] ?? 0);
  };
  /** The capacity alarm messages of a domain, as the intake stored them, oldest first. */
  const messages = async (alarmId: string) =>
    (
      await ctx.db.query<{
        state: string;
        disposition: string;
        resource_id: string;
        labels: Record<string, string>;
        plan_id: string | null;
      }>(
        `SELECT state, disposition, resource_id, labels, plan_id FROM alarms
          WHERE source = 'reflex' AND type = 'capacity.unsurvivable' AND alarm_id = $1 ORDER BY id`,
        [alarmId],
      )
    ).rows;

  beforeAll(async () => {
    await ctx.putInventory(cloud());
  });

  it('host: each host alone fails over, but the baremetal one has nowhere to go', async () => {
    const f = await forecast('host');
    expect(f.domain).toBe('host');
    expect(f.summary).toEqual({ domains: 4, survivable: 3 });
    expect(unsurvivable(f)).toEqual(['c4']);
    expect(item(f, 'c4')).toMatchObject({ instances: 1, placed: 0 });
    expect(item(f, 'c4').unplaced).toEqual([
      { instanceId: 'metal', reason: expect.stringContaining('baremetal') },
    ]);
    expect(item(f, 'c1')).toMatchObject({ survivable: true, instances: 2, placed: 2 });
    expect(item(f, 'c1').switchOvers).toEqual([
      { groupId: 'db', fromInstanceId: 'db-a', toInstanceId: 'db-s' },
    ]);
  });

  it('rack: losing az1/r1 at once leaves one 12-vCPU VM without room and db without a standby', async () => {
    const f = await forecast('rack');
    expect(f.summary).toEqual({ domains: 3, survivable: 1 });
    expect(unsurvivable(f)).toEqual(['az1/r1', 'az2/r9']);
    const r1 = item(f, 'az1/r1');
    expect(r1).toMatchObject({ instances: 4, placed: 3, redundancyLost: ['db'] });
    expect(r1.unplaced).toEqual([
      { instanceId: 'b', reason: expect.stringContaining('no host has 12 vCPU') },
    ]);
  });

  it('zone: neither zone can be lost', async () => {
    const f = await forecast('zone');
    expect(f.summary).toEqual({ domains: 2, survivable: 0 });
    expect(item(f, 'az1')).toMatchObject({ instances: 4, survivable: false });
  });

  it('a bad domain is answered 400 naming domain, and the engine keeps serving', async () => {
    for (const query of ['?domain=planet', '']) {
      const res = await http('GET', `${ctx.engine.url}/v1/capacity/forecast${query}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('domain');
    }
    expect((await forecast('host')).summary.domains).toBe(4);
  });

  it('the group status names the rack and zone its active and standby share', async () => {
    const res = await http('GET', `${ctx.engine.url}/v1/groups/db/status`);
    expect(res.status).toBe(200);
    expect(res.body.sharedFailureDomains).toEqual([
      { kind: 'rack', id: 'az1/r1', members: ['db-a', 'db-s'] },
      { kind: 'zone', id: 'az1', members: ['db-a', 'db-s'] },
    ]);
  });

  it('a live plan’s reservations change the answer; the gauge follows the inventory', async () => {
    await waitFor('the rack gauge at 2', async () => (await gauge('rack')) === 2);
    // A migrate-off of c2 waiting for approval has promised c3's room to b.
    const outcome = await createPlan(
      ctx.engine,
      intent('migrate-off', hostRef('c2'), { mode: 'manual' }),
    );
    expect(outcome.state).toBe('pending_approval');
    const c1 = item(await forecast('host'), 'c1');
    expect(c1.survivable).toBe(false);
    expect(c1.unplaced.map((u) => u.instanceId)).toEqual(['a']);

    // A bigger c4 takes what c3 cannot: only the baremetal rack stays unsurvivable.
    await ctx.putInventory(cloud({ capacity: { vcpus: 64, memoryMb: 131072 } }));
    expect(unsurvivable(await forecast('rack'))).toEqual(['az2/r9']);
    await waitFor('the rack gauge at 1', async () => (await gauge('rack')) === 1);
    expect(await gauge('host')).toBe(1);
    // Losing az1 still puts db's two members on c4 alone: host anti-affinity keeps that unsurvivable.
    expect(await gauge('zone')).toBe(2);
  });

  it('the watch raises capacity.unsurvivable into the intake, the shipped rule notifies, and it resolves with the inventory', async () => {
    const r1 = 'capacity.unsurvivable/rack/az1/r1';
    // The previous test left az1/r1 survivable; a smaller c4 makes it unsurvivable again.
    await ctx.putInventory(cloud());
    const firing = await waitFor('az1/r1 firing, decided', async () => {
      const last = (await messages(r1)).at(-1);
      return last?.state === 'firing' && last.disposition !== 'received' && last;
    });
    // Raised about the rack's first host, the domain in its labels; routed like any other alarm.
    expect(firing).toMatchObject({
      disposition: 'triggered',
      resource_id: 'c1',
      labels: { domainKind: 'rack', domain: 'az1/r1' },
    });
    const plan = await ctx.db.query(
      `SELECT policy, trigger_rule, target_id FROM plans WHERE id = $1`,
      [firing.plan_id],
    );
    expect(plan.rows[0]).toEqual({
      policy: 'notify',
      trigger_rule: 'capacity-unsurvivable-notify',
      target_id: 'c1',
    });

    // Room on c4 again: resolved, once.
    await ctx.putInventory(cloud({ capacity: { vcpus: 64, memoryMb: 131072 } }));
    await waitFor('az1/r1 resolved', async () => (await messages(r1)).at(-1)?.state === 'resolved');
    // The baremetal rack stays unsurvivable throughout: one firing message, never repeated.
    const r9 = 'capacity.unsurvivable/rack/az2/r9';
    const before = (await messages(r1)).length;
    const round = await rounds();
    await waitFor('two more rounds of the watch', async () => (await rounds()) >= round + 2);
    expect((await messages(r1)).length).toBe(before);
    expect((await messages(r9)).map((m) => m.state)).toEqual(['firing']);
  });
});
