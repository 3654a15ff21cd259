import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { Policy } from '@reflex/contracts/plan.v1';
import { buildPlan } from '../plan-builder';
import {
  PLANNING,
  bm,
  host,
  intent,
  inventory,
  sequentialIds,
  vm,
} from '../../testing/topology.fixture';

const big = (id: string, hostId: string) =>
  vm(id, hostId, { resources: { vcpus: 12, memoryMb: 8192 } });
const inRack = (id: string, rack: string) => host(id, { labels: { rack } });

const plan = (
  inv: InventoryV1,
  policy: Policy,
  hostId: string,
  params: Record<string, unknown> = {},
) =>
  buildPlan(
    intent(policy, { kind: 'host', id: hostId }, { params }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('p'),
  );

/**
 * Rack r1: h1 (a, 12 of 16 vCPU) and h2 (empty); rack r2: h3 (c, 12 vCPU). Any one host can be
 * lost now: its 12-vCPU VM goes to h2. With h2 out of service, losing h1 (or h3) no longer can.
 */
const cloud = (...extra: InventoryV1['instances']) =>
  inventory(
    [inRack('h1', 'r1'), inRack('h2', 'r1'), inRack('h3', 'r2')],
    [big('a', 'h1'), big('c', 'h3'), ...extra],
  );

describe('keepSurvivable (host-drain, migrate-off)', () => {
  it('blocks a drain that would leave a host unsurvivable, naming it; without the param it goes ahead', () => {
    expect(plan(cloud(), 'host-drain', 'h2').state).toBe('pending');
    const draft = plan(cloud(), 'host-drain', 'h2', { keepSurvivable: 'host' });
    expect(draft.state).toBe('blocked');
    expect(draft.actions).toEqual([]);
    expect(draft.reason).toMatch(
      /^keepSurvivable host: after this plan, losing host h1 would leave 1 of 1 instances unplaced: a \(priority \d+\): no host has 12 vCPU .* \(also h3\)$/,
    );
  });

  it('blocks a migrate-off whose move takes the room another host’s failover needs', () => {
    // c moves to h2, the only room a has if h1 fails; h3 is disabled by the migrate-off.
    const draft = plan(cloud(), 'migrate-off', 'h3', { keepSurvivable: 'host' });
    expect(draft.state).toBe('blocked');
    expect(draft.reason).toContain('keepSurvivable host: after this plan, losing host h1');
  });

  it('by rack: names the rack whose loss would no longer fit', () => {
    // r1: h1 (a) and h2; r2: h3 (c) and h4. c moves to h2: losing r1 then needs room for a and
    // c, and only h4 is left.
    const inv = inventory(
      [inRack('h1', 'r1'), inRack('h2', 'r1'), inRack('h3', 'r2'), inRack('h4', 'r2')],
      [big('a', 'h1'), big('c', 'h3')],
    );
    expect(plan(inv, 'migrate-off', 'h3').state).toBe('pending');
    const draft = plan(inv, 'migrate-off', 'h3', { keepSurvivable: 'rack' });
    expect(draft.state).toBe('blocked');
    expect(draft.reason).toMatch(
      /^keepSurvivable rack: after this plan, losing rack az1\/r1 would leave 1 of 2 instances unplaced: c /,
    );
  });

  it('a domain that could not be lost before does not block the plan: it did not make it so', () => {
    // h1's baremetal has nowhere to go, whatever the plan; draining the empty h3 changes nothing.
    const inv = inventory(
      [inRack('h1', 'r1'), inRack('h2', 'r1'), inRack('h3', 'r2')],
      [bm('metal', 'h1')],
    );
    const draft = plan(inv, 'host-drain', 'h3', { keepSurvivable: 'host' });
    expect(draft.state).toBe('pending');
    expect(draft.explanation.checks).toContain(
      'keepSurvivable host: h1 cannot be lost, as before this plan',
    );
  });

  it('a plan that keeps every domain survivable says so in its checks', () => {
    const inv = inventory([host('h1'), host('h2'), host('h3', { zone: 'az2' })], [vm('a', 'h1')]);
    const draft = plan(inv, 'host-drain', 'h1', { keepSurvivable: 'zone' });
    expect(draft.state).toBe('pending');
    expect(draft.explanation.checks).toContain(
      'keepSurvivable zone: every zone can still be lost after this plan',
    );
  });

  it('refuses a value that is not a domain kind', () => {
    expect(plan(cloud(), 'host-drain', 'h2', { keepSurvivable: 'planet' }).reason).toBe(
      'keepSurvivable must be one of host, rack, zone',
    );
  });
});
