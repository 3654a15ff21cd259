import fc from 'fast-check';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from '../inventory/inventory-view';
import { exhaustivePlacement } from '../testing/exhaustive-placement';
import { cloudArb } from '../testing/random-cloud';
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
          // The forecast's solver: no verdicts wanted, so the index passes over hosts it can
          // tell will not be chosen (LoadIndex bestOnly). It must choose as the explaining one.
          const bestOnly = new PlacementSolver(view, config, inFlight, `plan-${p}`, {
            explainPlaced: false,
          });
          for (const request of requests) {
            const reservations = [...inFlight, ...solver.reservations()];
            const result = solver.place(request);
            expectSameAsReference(inventory, config, reservations, request, result, `plan-${p}`);
            expectEveryHostAccountedFor(view, result);
            const quick = bestOnly.place(request);
            expectSameAsReference(inventory, config, reservations, request, quick, `plan-${p}`);
            if (!quick.ok) expect(quick).toEqual(result);
          }
        });
      }),
      { numRuns: 400 },
    );
  });
});
