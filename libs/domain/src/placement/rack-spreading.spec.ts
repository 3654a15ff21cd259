import type { HostV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from '../inventory/inventory-view';
import { buildPlan } from '../planning/plan-builder';
import {
  NO_OVERCOMMIT,
  PLANNING,
  host,
  intent,
  inventory,
  sequentialIds,
  vm,
} from '../testing/topology.fixture';
import { PlacementSolver } from './placement-solver';
import type { Reservation } from './placement.types';

/**
 * A storm's evacuations spread over racks instead of filling the few least-loaded hosts: among
 * hosts with room, the rack with the fewest moves of this plan and the live ones comes first.
 * Rack a is empty, rack b a quarter full: by load alone every VM would go to rack a.
 */
const inRack = (id: string, rack: string, over: Partial<HostV1> = {}) =>
  host(id, { labels: { rack }, ...over });

const cloud = (vms: number) =>
  inventory(
    [
      inRack('a1', 'a'),
      inRack('a2', 'a'),
      inRack('a3', 'a'),
      inRack('b1', 'b'),
      inRack('b2', 'b'),
      inRack('b3', 'b'),
      inRack('dead', 'c'),
    ],
    [
      ...['b1', 'b2', 'b3'].map((b) => vm(`load-${b}`, b)),
      ...Array.from({ length: vms }, (_, i) => vm(`vm-${i + 1}`, 'dead')),
    ],
  );

const rackOf = (hostId: string) => hostId[0];

describe('rack spreading', () => {
  it("alternates racks for one failover's evacuations, least loaded host first within a rack", () => {
    const draft = buildPlan(
      intent('host-failover', { kind: 'host', id: 'dead' }),
      cloud(4),
      { reservations: [] },
      PLANNING,
      sequentialIds('p'),
    );
    const destinations = draft.actions
      .filter((a) => a.type === 'evacuate')
      .map((a) => (a.params as { toHostId: string }).toHostId);
    expect(destinations).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(draft.explanation.placements[1].candidates.find((c) => c.hostId === 'a2')).toMatchObject(
      { accepted: true, rackPlacements: 1, loadAfter: 0.25 },
    );
    // Without racks (every host a rack of its own) the same storm spreads over hosts.
    const noRacks = cloud(4);
    noRacks.hosts = noRacks.hosts.map((h) => ({ ...h, labels: {} }));
    const spread = buildPlan(
      intent('host-failover', { kind: 'host', id: 'dead' }),
      noRacks,
      { reservations: [] },
      PLANNING,
      sequentialIds('p'),
    );
    expect(spread.reservations.map((r) => r.hostId)).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it("counts live plans' moves as load only: each plan spreads its own moves", () => {
    const inv = cloud(2);
    // An earlier plan's move to a1 makes a1 busier, not rack a less preferred.
    const live: Reservation[] = [
      { planId: 'earlier', hostId: 'a1', instanceId: 'elsewhere', vcpus: 4, memoryMb: 8192 },
    ];
    const solver = new PlacementSolver(new InventoryView(inv), NO_OVERCOMMIT, live, 'next');
    expect(solver.place({ instanceId: 'vm-1' })).toMatchObject({ ok: true, hostId: 'a2' });
    expect(solver.place({ instanceId: 'vm-2' })).toMatchObject({ ok: true, hostId: 'b1' });
  });

  it('still fills a rack when only it has room', () => {
    const inv = cloud(3);
    inv.hosts = inv.hosts.map((h) =>
      rackOf(h.id) === 'b' ? { ...h, capacity: { vcpus: 4, memoryMb: 8192 } } : h,
    );
    const draft = buildPlan(
      intent('host-failover', { kind: 'host', id: 'dead' }),
      inv,
      { reservations: [] },
      PLANNING,
      sequentialIds('p'),
    );
    expect(draft.reservations.map((r) => r.hostId)).toEqual(['a1', 'a2', 'a3']);
    expect(draft.reason).toBeNull();
  });

  it('is deterministic: the same inventory, in any order, gives the same plan', () => {
    const inv = cloud(6);
    const shuffled = {
      ...inv,
      hosts: [...inv.hosts].reverse(),
      instances: [...inv.instances].reverse(),
    };
    const plan = (i: typeof inv) =>
      buildPlan(
        intent('host-failover', { kind: 'host', id: 'dead' }),
        i,
        { reservations: [] },
        PLANNING,
        sequentialIds('p'),
      ).actions;
    expect(plan(shuffled)).toEqual(plan(inv));
  });
});
