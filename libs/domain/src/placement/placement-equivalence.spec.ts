import fc from 'fast-check';
import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from '../inventory/inventory-view';
import { exhaustivePlacement } from '../testing/exhaustive-placement';
import { MAX_RECORDED_CANDIDATES } from './candidate-summary';
import { PlacementSolver } from './placement-solver';
import type {
  PlacementConfig,
  PlacementRequest,
  PlacementResult,
  Reservation,
} from './placement.types';

/**
 * The solver judges only the hosts that could be chosen (LoadIndex); these properties hold it to
 * the rule as plainly stated (exhaustivePlacement) on random clouds: the same host, load and
 * constraints for every placement of a plan, around random in-flight reservations, with racks
 * spread over and kept apart as the rule says.
 */

const pad = (n: number) => String(n).padStart(3, '0');

const hostArb = fc.record({
  zone: fc.constantFrom('az1', 'az2', 'az3'),
  status: fc.constantFrom<HostV1['status']>(
    'up',
    'up',
    'up',
    'up',
    'down',
    'disabled',
    'maintenance',
  ),
  hypervisor: fc.constantFrom('kvm', 'kvm', 'kvm', 'xen'),
  vcpus: fc.constantFrom(0, 4, 8, 16, 16, 32),
  memoryMb: fc.constantFrom(0, 8192, 16384, 16384, 32768),
  // Few racks, shared by zones (az1/r1 is not az2/r1), and hosts without one (racks of their own).
  rack: fc.constantFrom(undefined, 'r1', 'r1', 'r2', 'r3'),
});

const instanceArb = fc.record({
  host: fc.nat(),
  unknownHost: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  baremetal: fc.constantFrom(false, false, false, false, false, true),
  vcpus: fc.constantFrom(0, 1, 2, 4, 8),
  memoryMb: fc.constantFrom(0, 1024, 2048, 4096, 8192),
  group: fc.option(fc.nat(), { nil: undefined }),
  standby: fc.boolean(),
});

const cloudArb = fc
  .record({
    hosts: fc.array(hostArb, { minLength: 1, maxLength: 70 }),
    instances: fc.array(instanceArb, { maxLength: 90 }),
    groups: fc.array(fc.constantFrom<GroupV1['antiAffinity']>('host', 'rack', 'zone', 'none'), {
      maxLength: 6,
    }),
    config: fc.record({
      cpuOvercommit: fc.constantFrom(1, 2, 4),
      memoryOvercommit: fc.constantFrom(1, 1.5),
    }),
  })
  .map(({ hosts, instances, groups, config }) => ({
    inventory: cloud(hosts, instances, groups),
    config,
  }));

const rackLabel = (rack: string | undefined): Record<string, string> => (rack ? { rack } : {});

type HostSpec = typeof hostArb extends fc.Arbitrary<infer T> ? T : never;
type InstanceSpec = typeof instanceArb extends fc.Arbitrary<infer T> ? T : never;

function cloud(
  hostSpecs: HostSpec[],
  instanceSpecs: InstanceSpec[],
  antiAffinity: GroupV1['antiAffinity'][],
): InventoryV1 {
  // Ids out of order on purpose: the view sorts them, the reference does not need to.
  const hosts: HostV1[] = hostSpecs.map((h, i) => ({
    id: `h-${pad((i * 37) % 1000)}`,
    zone: h.zone,
    status: h.status,
    hypervisor: h.hypervisor,
    driver: 'simulator',
    capacity: { vcpus: h.vcpus, memoryMb: h.memoryMb },
    labels: rackLabel(h.rack),
  }));
  const groups: GroupV1[] = antiAffinity.map((a, g) => ({
    id: `g-${g}`,
    active: 1,
    standby: 1,
    antiAffinity: a,
  }));
  const instances: InstanceV1[] = instanceSpecs.map((s, i) => ({
    id: `i-${pad(i)}`,
    hostId: s.unknownHost ? 'gone' : hosts[s.host % hosts.length].id,
    kind: s.baremetal ? 'baremetal' : 'vm',
    state: 'running',
    resources: { vcpus: s.vcpus, memoryMb: s.memoryMb },
    groupId: groups.length && s.group !== undefined ? groups[s.group % groups.length].id : null,
    role: s.standby ? 'standby' : 'active',
  }));
  return { hosts, instances, groups };
}

/** In-flight moves and a plan's requests, drawn from the cloud's own hosts and instances. */
const planArb = (inventory: InventoryV1) => {
  const hostIds = [...inventory.hosts.map((h) => h.id), 'gone'];
  const instanceIds = [...inventory.instances.map((i) => i.id), 'nope'];
  const reservation = fc.record({
    planId: fc.constant('earlier'),
    hostId: fc.constantFrom(...hostIds),
    instanceId: fc.constantFrom(...instanceIds),
    vcpus: fc.constantFrom(0, 1, 4, 8),
    memoryMb: fc.constantFrom(0, 2048, 8192),
  });
  const request = fc.record({
    instanceId: fc.constantFrom(...instanceIds),
    excludeHostIds: fc.subarray(hostIds, { maxLength: Math.min(4, hostIds.length) }),
  });
  return fc.record({
    inFlight: fc.array(reservation, { maxLength: 12 }),
    requests: fc.array(request, { minLength: 1, maxLength: 8 }),
  });
};

const cloudAndPlans = cloudArb.chain((c) =>
  fc.record({
    cloud: fc.constant(c),
    plans: fc.array(planArb(c.inventory), { minLength: 1, maxLength: 3 }),
  }),
);

function expectSameAsReference(
  inventory: InventoryV1,
  config: PlacementConfig,
  reservations: readonly Reservation[],
  request: PlacementRequest,
  result: PlacementResult,
  planId: string,
): void {
  const reference = exhaustivePlacement(inventory, config, reservations, request, planId);
  if (reference.ok) {
    expect(result).toMatchObject({
      ok: true,
      hostId: reference.hostId,
      loadAfter: reference.loadAfter,
    });
  } else {
    expect(result).toMatchObject({ ok: false, constraints: reference.constraints });
  }
}

/** Every host is accounted for exactly once: listed, or counted as omitted. */
function expectEveryHostAccountedFor(view: InventoryView, result: PlacementResult): void {
  if (!('candidates' in result) || !result.candidates.length) return;
  const omitted = result.omitted;
  const counted = omitted ? omitted.accepted + omitted.rejected + (omitted.notJudged ?? 0) : 0;
  expect(result.candidates.length + counted).toBe(view.hostCount);
  if (view.hostCount <= MAX_RECORDED_CANDIDATES) expect(omitted).toBeUndefined();
}

describe('PlacementSolver against the exhaustive rule', () => {
  it('chooses the same host as judging every host would, plan after plan on one view', () => {
    fc.assert(
      fc.property(cloudAndPlans, ({ cloud: { inventory, config }, plans }) => {
        // One view for all plans, as the storm does: the shared index must not carry one
        // solver's reservations into the next.
        const view = new InventoryView(inventory);
        plans.forEach(({ inFlight, requests }, p) => {
          const solver = new PlacementSolver(view, config, inFlight, `plan-${p}`);
          for (const request of requests) {
            const reservations = [...inFlight, ...solver.reservations()];
            const result = solver.place(request);
            expectSameAsReference(inventory, config, reservations, request, result, `plan-${p}`);
            expectEveryHostAccountedFor(view, result);
          }
        });
      }),
      { numRuns: 400 },
    );
  });
});
