/**
 * Does the placement search choose what judging every host would, on the planner bench's cloud, and
 * how many hosts does it leave unjudged on the way?
 * `node -r @swc-node/register bench/experiments/placement-search.ts [--quick] [--storm N]`
 *
 * PlacementSolver walks hosts from the least loaded on and stops once no further host could be
 * preferred (LoadIndex). This replays the bench's failover and drain plans and the first N plans of
 * its storm (default 20, each with the reservations of those before it), placement by placement,
 * against exhaustivePlacement: the rule as plainly stated, every host judged. The unit spec
 * placement-equivalence.spec.ts does the same on thousands of small random clouds.
 */
import { randomUUID } from 'node:crypto';
import type { InventoryV1 } from '@reflex/contracts';
import {
  buildPlan,
  type ExecutablePlan,
  inFlightFromPlans,
  type InFlight,
  InventoryView,
  PlacementSolver,
  type PlanDraft,
  type PlanIntent,
} from '@reflex/domain';
import { exhaustivePlacement } from '@reflex/domain/testing/exhaustive-placement';
import { FULL_PLANNER_CLOUD, plannerCloud } from '../support/planner-cloud';
import { asLive } from '../scenarios/planner.bench';
import { Prng } from '../support/prng';
import { median } from '../support/stats';

const CONFIG = { placement: { cpuOvercommit: 4, memoryOvercommit: 1 } };

function intent(policy: 'host-failover' | 'host-drain', hostId: string): PlanIntent {
  return {
    policy,
    target: { kind: 'host', id: hostId },
    mode: 'auto',
    onFailure: 'continue',
    rule: { name: 'experiment', version: 1, hash: 'x' },
    alarm: { id: `experiment-${hostId}`, source: 'experiment', type: 'host.down' },
  };
}

interface Tally {
  placements: number;
  mismatches: string[];
  notJudged: number[];
}

/** Places what the draft placed, in its order, and holds every choice to the exhaustive rule. */
function replay(
  inventory: InventoryV1,
  view: InventoryView,
  inFlight: InFlight,
  draft: PlanDraft,
  tally: Tally,
) {
  const solver = new PlacementSolver(view, CONFIG.placement, inFlight.reservations, draft.id);
  for (const planned of draft.explanation.placements) {
    const reservations = [...inFlight.reservations, ...solver.reservations()];
    const request = { instanceId: planned.instanceId };
    const placed = solver.place(request);
    const reference = exhaustivePlacement(
      inventory,
      CONFIG.placement,
      reservations,
      request,
      draft.id,
    );
    tally.placements += 1;
    tally.notJudged.push(placed.omitted?.notJudged ?? 0);
    const got = placed.ok ? placed.hostId : `none (${placed.constraints.join(', ')})`;
    const want = reference.ok ? reference.hostId : `none (${reference.constraints.join(', ')})`;
    if (got !== want)
      tally.mismatches.push(`${draft.id} ${request.instanceId}: ${got}, exhaustive ${want}`);
  }
}

function main(): void {
  const quick = process.argv.includes('--quick');
  const stormAt = process.argv.indexOf('--storm');
  const stormPlans = stormAt >= 0 ? Number(process.argv[stormAt + 1]) : 20;
  const size = quick
    ? { hosts: 2000, instances: 40000, groups: 1000, bigHostInstances: 100 }
    : FULL_PLANNER_CLOUD;
  const cloud = plannerCloud(size);
  const tally: Tally = { placements: 0, mismatches: [], notJudged: [] };

  const view = new InventoryView(cloud.inventory);
  const none: InFlight = { reservations: [] };
  for (const [policy, hostId] of [
    ['host-failover', cloud.failoverHost],
    ['host-drain', cloud.drainHost],
  ] as const) {
    replay(
      cloud.inventory,
      view,
      none,
      buildPlan(intent(policy, hostId), view, none, CONFIG, randomUUID),
      tally,
    );
  }

  const down = new Prng(7)
    .shuffle(cloud.inventory.hosts.slice(2).map((h) => h.id))
    .slice(0, stormPlans);
  const storm: InventoryV1 = {
    ...cloud.inventory,
    hosts: cloud.inventory.hosts.map((h) => (down.includes(h.id) ? { ...h, status: 'down' } : h)),
  };
  const stormView = new InventoryView(storm);
  const plans: ExecutablePlan[] = [];
  for (const hostId of down) {
    const inFlight = inFlightFromPlans(plans, stormView);
    const draft = buildPlan(
      intent('host-failover', hostId),
      stormView,
      inFlight,
      CONFIG,
      randomUUID,
    );
    replay(storm, stormView, inFlight, draft, tally);
    plans.push(asLive(draft));
  }

  console.log(
    `${tally.placements} placements on ${size.hosts} hosts (failover, drain, ${down.length} storm plans): ` +
      `${tally.mismatches.length} differ from judging every host; ` +
      `hosts left unjudged per placement: median ${median(tally.notJudged)}, least ${Math.min(...tally.notJudged)}`,
  );
  for (const m of tally.mismatches.slice(0, 10)) console.log(`  ${m}`);
  process.exitCode = tally.mismatches.length ? 1 : 0;
}

main();
