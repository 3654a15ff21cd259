// Failure domains and priorities (issue 15, CONTRACT §9) through the real engine, broker and
// database: rack anti-affinity holds in a failover and a drain, and when room is short the
// higher-priority instances get it while the plan's reason names who was left down and why.
import type { HostV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { ExecutablePlan } from '@reflex/domain';
import { succeed } from '../support/driver-stand-in';
import {
  group,
  host,
  hostRef,
  intent,
  inventory,
  member,
  planSpec,
  vm,
} from './support/plan-fixtures';

const inRack = (id: string, rack: string, over: Partial<HostV1> = {}): HostV1 =>
  host(id, { labels: { rack }, ...over });

const moves = (plan: ExecutablePlan) =>
  plan.actions.flatMap((a) => {
    const p = a.params as { instanceId?: string; toHostId?: string };
    return p.toHostId ? [`${a.type} ${p.instanceId} -> ${p.toHostId}`] : [];
  });

/** The rack each member of the group is in now, by the engine's own inventory. */
function racksOf(inv: InventoryV1, groupId: string): string[] {
  const hosts = new Map(inv.hosts.map((h) => [h.id, h]));
  return inv.instances
    .filter((i) => i.groupId === groupId)
    .map((i) => `${hosts.get(i.hostId)!.zone}/${hosts.get(i.hostId)!.labels!.rack}`)
    .sort();
}

describe('failure domains and priorities (real Kafka, PostgreSQL, scripted driver)', () => {
  const ctx = planSpec();
  beforeEach(() => ctx.driver.use(succeed()));

  // r2 holds the standby and an empty host, the least loaded of all: host anti-affinity would put
  // the former active there, beside the standby's rack. r3's host is half full but alone.
  const cloud = (prefix: string) =>
    inventory(
      [
        inRack(`${prefix}1`, 'r1'),
        inRack(`${prefix}3`, 'r2'),
        inRack(`${prefix}4`, 'r2'),
        inRack(`${prefix}5`, 'r3'),
      ],
      [
        member(`${prefix}-db-a`, `${prefix}1`, `${prefix}-db`, 'active'),
        member(`${prefix}-db-s`, `${prefix}3`, `${prefix}-db`, 'standby'),
        vm(`${prefix}-fill`, `${prefix}5`, { resources: { vcpus: 8, memoryMb: 16384 } }),
      ],
      [group(`${prefix}-db`, { active: 1, standby: 1, antiAffinity: 'rack' })],
    );

  it('a failover keeps the group in different racks', async () => {
    await ctx.seed(cloud('rf'));
    const outcome = await ctx.createPlan(intent('host-failover', hostRef('rf1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(moves(plan)).toEqual(['evacuate rf-db-a -> rf5']);

    const after = await ctx.currentInventory();
    expect(after.groups.find((g) => g.id === 'rf-db')?.antiAffinity).toBe('rack');
    expect(after.instances.find((i) => i.id === 'rf-db-s')?.role).toBe('active');
    expect(after.instances.find((i) => i.id === 'rf-db-a')).toMatchObject({
      hostId: 'rf5',
      role: 'standby',
      state: 'running',
    });
    expect(racksOf(after, 'rf-db')).toEqual(['az1/r2', 'az1/r3']);
  });

  it('a drain keeps the group in different racks', async () => {
    await ctx.seed(cloud('rd'));
    const outcome = await ctx.createPlan(intent('host-drain', hostRef('rd1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(moves(plan)).toEqual(['live-migrate rd-db-a -> rd5']);

    const after = await ctx.currentInventory();
    expect(after.hosts.find((h) => h.id === 'rd1')?.status).toBe('maintenance');
    expect(after.instances.find((i) => i.id === 'rd-db-a')?.hostId).toBe('rd5');
    expect(racksOf(after, 'rd-db')).toEqual(['az1/r2', 'az1/r3']);
  });

  it('gives scarce room to the higher priorities and names who was left down', async () => {
    // p2 has room for two 4-vCPU VMs; ids run against priority, so id order would pick a and b.
    await ctx.seed(
      inventory(
        [host('p1'), host('p2', { capacity: { vcpus: 8, memoryMb: 16384 } })],
        [
          vm('p-a', 'p1', { priority: 10 }),
          vm('p-b', 'p1'),
          vm('p-c', 'p1', { priority: 95 }),
          vm('p-d', 'p1', { priority: 20 }),
        ],
      ),
    );
    const stored = await ctx.currentInventory();
    expect(stored.instances.find((i) => i.id === 'p-c')?.priority).toBe(95);
    expect(stored.instances.find((i) => i.id === 'p-b')).not.toHaveProperty('priority');

    const outcome = await ctx.createPlan(
      intent('host-failover', hostRef('p1'), { onFailure: 'continue' }),
    );
    const leftOut =
      'p-d (priority 20): no host has 4 vCPU / 8 GiB free; ' +
      'p-a (priority 10): no host has 4 vCPU / 8 GiB free';
    expect(outcome.reason).toBe(leftOut);
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    // Placed and ordered highest priority first: p-c's evacuation comes before p-b's.
    expect(moves(plan)).toEqual(['evacuate p-c -> p2', 'evacuate p-b -> p2']);
    expect(plan.reason).toBe(leftOut);
    expect(ctx.driver.executes(plan.id).filter((c) => c.type === 'evacuate')).toHaveLength(2);

    const after = new Map((await ctx.currentInventory()).instances.map((i) => [i.id, i]));
    expect(after.get('p-c')).toMatchObject({ hostId: 'p2', state: 'running' });
    expect(after.get('p-b')).toMatchObject({ hostId: 'p2', state: 'running' });
    expect(after.get('p-a')).toMatchObject({ hostId: 'p1', state: 'error' });
    expect(after.get('p-d')).toMatchObject({ hostId: 'p1', state: 'error' });
  });
});
