import type { PlanState } from '@reflex/contracts/plan.v1';
import { decideConflict, type LiveClaim } from '../conflicts/conflict-policy';
import { InventoryView } from '../inventory/inventory-view';
import { planFromDraft } from '../lifecycle/plan-factory';
import type { ExecutablePlan } from '../lifecycle/lifecycle.types';
import {
  NOW,
  PLANNING,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
} from '../testing/topology.fixture';
import { inFlightFromPlans, promisedView } from './in-flight';
import { buildPlan } from './plan-builder';
import type { PlanDraft } from './plan-intent';

// N+1: web has three actives (h1, h2, h3) and one standby (h4); h5 and h6 are spare.
const inv = new InventoryView(
  inventory(
    ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((id) => host(id)),
    [
      member('web-1', 'h1', 'web', 'active'),
      member('web-2', 'h2', 'web', 'active'),
      member('web-3', 'h3', 'web', 'active'),
      member('web-s', 'h4', 'web', 'standby'),
    ],
    [group('web', { active: 3, standby: 1 })],
  ),
);

/** As PlanningService: against the state the live plans leave, with their reservations. */
function failover(hostId: string, live: readonly ExecutablePlan[]): PlanDraft {
  return buildPlan(
    intent('host-failover', { kind: 'host', id: hostId }),
    promisedView(inv, live),
    inFlightFromPlans(live, inv),
    PLANNING,
    sequentialIds(hostId),
  );
}

const stored = (draft: PlanDraft, state: PlanState = 'running'): ExecutablePlan => ({
  ...planFromDraft(draft, NOW).plan,
  state,
});

const claim = (plan: ExecutablePlan, holds: PlanDraft['holds']): LiveClaim => ({
  planId: plan.id,
  policy: plan.policy,
  target: plan.target,
  state: plan.state,
  holds,
});

const promotions = (draft: PlanDraft) =>
  draft.actions.filter((a) => a.type === 'switch-over').map((a) => a.params);

describe('failovers in parallel (CONTRACT §9)', () => {
  it('lets a failover sharing only a group with a live failover proceed', () => {
    const first = failover('h1', []);
    const second = failover('h2', [stored(first)]);
    const decision = decideConflict(
      { policy: 'host-failover', target: second.target, holds: second.holds },
      [claim(stored(first), first.holds)],
    );
    expect(first.holds.groups).toEqual(['web']);
    expect(second.holds.groups).toEqual(['web']);
    expect(decision).toEqual({ decision: 'proceed' });
  });

  it('never promotes a standby that a live failover has promised', () => {
    const first = failover('h1', []);
    expect(promotions(first)).toEqual([
      { groupId: 'web', fromInstanceId: 'web-1', toInstanceId: 'web-s' },
    ]);
    const second = failover('h2', [stored(first)]);
    expect(promotions(second)).toEqual([]);
    // web-2 has no standby left to take its place, so it is evacuated: it comes back, elsewhere,
    // and not onto h1 (being fenced) nor beside a member the first plan moves.
    const evacuate = second.actions.find((a) => a.type === 'evacuate');
    expect(evacuate?.params).toMatchObject({ instanceId: 'web-2', fromHostId: 'h2' });
    const firstMoves = first.actions.filter((a) => a.type === 'evacuate').map((a) => a.params);
    expect(firstMoves).toEqual([{ instanceId: 'web-1', fromHostId: 'h1', toHostId: 'h5' }]);
    expect(evacuate?.params).toMatchObject({ toHostId: 'h6' });
    expect(second.reason).toContain('group web has no healthy standby for web-2');
  });

  it('promotes it again once the promising plan has been cancelled', () => {
    const first = stored(failover('h1', []), 'cancelled');
    expect(promotions(failover('h2', [first]))).toEqual([
      { groupId: 'web', fromInstanceId: 'web-2', toInstanceId: 'web-s' },
    ]);
  });

  it('does not place on a host a live failover is about to fence', () => {
    const fencing = stored(failover('h5', []), 'pending_approval');
    const view = promisedView(inv, [fencing]);
    expect(view.host('h5')?.status).toBe('down');
    expect(inv.host('h5')?.status).toBe('up');
    const second = failover('h1', [fencing]);
    expect(second.actions.find((a) => a.type === 'evacuate')?.params).toMatchObject({
      toHostId: 'h6',
    });
  });

  it('still waits for a failover it shares an instance with, or one rolling back', () => {
    const first = failover('h1', []);
    // h4 runs the standby the first plan promotes: its failover acts on web-s too.
    const onStandby = failover('h4', [stored(first)]);
    const shared = decideConflict(
      { policy: 'host-failover', target: onStandby.target, holds: onStandby.holds },
      [claim(stored(first), first.holds)],
    );
    expect(shared.decision).toBe('wait');
    const second = failover('h2', [stored(first)]);
    const rollingBack = decideConflict(
      { policy: 'host-failover', target: second.target, holds: second.holds },
      [claim(stored(first, 'rolling_back'), first.holds)],
    );
    expect(rollingBack.decision).toBe('wait');
  });
});
