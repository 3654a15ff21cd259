import type { PlanState, Policy } from '@reflex/contracts/plan.v1';
import { supersedePlan } from '../lifecycle/operator-commands';
import { planFromDraft } from '../lifecycle/plan-factory';
import { LIMITS, advance } from '../testing/lifecycle.fixture';
import { buildPlan } from '../planning/plan-builder';
import type { PlanDraft } from '../planning/plan-intent';
import {
  NOW,
  PLANNING,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../testing/topology.fixture';
import { POLICY_RANK, decideConflict, supersedeEffect, type LiveClaim } from './conflict-policy';

// h1 holds web-1 and vm-1; h2 holds web-2; web's standby is on h3. h4 and h5 are spare.
const inv = inventory(
  [host('h1'), host('h2'), host('h3'), host('h4'), host('h5')],
  [
    member('web-1', 'h1', 'web', 'active'),
    member('web-2', 'h2', 'web', 'active'),
    member('web-s', 'h3', 'web', 'standby'),
    vm('vm-1', 'h1'),
    vm('vm-9', 'h5'),
  ],
  [group('web', { active: 2 })],
);

const draft = (policy: Policy, hostOrInstance: string, prefix: string): PlanDraft =>
  buildPlan(
    intent(policy, {
      kind: hostOrInstance.startsWith('h') ? 'host' : 'instance',
      id: hostOrInstance,
    }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds(prefix),
  );

const live = (d: PlanDraft, state: PlanState = 'running'): LiveClaim => ({
  planId: d.id,
  policy: d.policy,
  target: d.target,
  holds: d.holds,
  state,
});

describe('decideConflict', () => {
  it('ranks every policy, failover highest and notify lowest', () => {
    const order = (Object.keys(POLICY_RANK) as Policy[]).sort(
      (a, b) => POLICY_RANK[b] - POLICY_RANK[a],
    );
    expect(order).toEqual([
      'host-failover',
      'switch-over',
      'host-restore',
      'restore-redundancy',
      'host-drain',
      'migrate-off',
      'notify',
    ]);
  });

  it('proceeds when no live plan holds any of its resources', () => {
    const drainH1 = draft('host-drain', 'h1', 'd');
    const moveVm9 = draft('migrate-off', 'vm-9', 'm');
    expect(decideConflict(moveVm9, [live(drainH1)])).toEqual({ decision: 'proceed' });
  });

  it('supersedes a lower-ranked plan: failover beats a drain of the same host', () => {
    const drainH1 = draft('host-drain', 'h1', 'd');
    const failH1 = draft('host-failover', 'h1', 'f');
    const decision = decideConflict(failH1, [live(drainH1)]);
    expect(decision).toEqual({
      decision: 'supersede',
      planIds: ['d1'],
      reason:
        'host-failover outranks host-drain of plan d1 on host h1, instance vm-1, instance web-1, group web',
    });
  });

  it('makes a lower-ranked decision wait: a drain waits for a running failover', () => {
    const failH1 = draft('host-failover', 'h1', 'f');
    const drainH1 = draft('host-drain', 'h1', 'd');
    expect(decideConflict(drainH1, [live(failH1)])).toMatchObject({
      decision: 'wait',
      planIds: ['f1'],
    });
    const moveVm1 = draft('migrate-off', 'vm-1', 'm');
    expect(decideConflict(moveVm1, [live(drainH1)])).toMatchObject({
      decision: 'wait',
      planIds: ['d1'],
      reason: 'plan d1 (host-drain) holds host h1, instance vm-1 and ranks at least as high',
    });
  });

  it('never lets two hosts holding members of one group drain at once: the second waits', () => {
    const drainH1 = draft('host-drain', 'h1', 'd');
    const drainH2 = draft('host-drain', 'h2', 'e');
    expect(decideConflict(drainH2, [live(drainH1, 'pending_approval')])).toEqual({
      decision: 'wait',
      planIds: ['d1'],
      reason: 'plan d1 (host-drain) holds group web and ranks at least as high',
    });
  });

  it('merges the same decision on the same target into the live plan', () => {
    const drainH1 = draft('host-drain', 'h1', 'd');
    expect(decideConflict(draft('host-drain', 'h1', 'x'), [live(drainH1)])).toEqual({
      decision: 'merge',
      planId: 'd1',
      reason: 'plan d1 already applies host-drain to host h1',
    });
  });

  it('does not interrupt a rollback, and ignores finished plans and notifications', () => {
    const drainH1 = draft('host-drain', 'h1', 'd');
    const failH1 = draft('host-failover', 'h1', 'f');
    expect(decideConflict(failH1, [live(drainH1, 'rolling_back')])).toMatchObject({
      decision: 'wait',
      reason: expect.stringContaining('plan d1 is rolling back'),
    });
    expect(decideConflict(failH1, [live(drainH1, 'succeeded')])).toEqual({ decision: 'proceed' });
    const notifyH1 = draft('notify', 'h1', 'n');
    expect(decideConflict(notifyH1, [live(failH1)])).toEqual({ decision: 'proceed' });
    expect(decideConflict(drainH1, [live(notifyH1)])).toEqual({ decision: 'proceed' });
  });

  it('waits if any holder outranks it, even when it outranks another', () => {
    const failH1 = draft('host-failover', 'h1', 'f');
    const moveVm1 = draft('migrate-off', 'vm-1', 'm');
    const drainH1 = draft('host-drain', 'h1', 'd');
    expect(decideConflict(drainH1, [live(moveVm1), live(failH1)])).toMatchObject({
      decision: 'wait',
      planIds: ['f1'],
    });
  });

  it("superseding cancels the old plan's unstarted actions and aborts its running ones", () => {
    const drainH1 = draft('host-drain', 'h1', 'd');
    const running = advance(planFromDraft(drainH1, NOW).plan, 0).plan;
    expect(supersedeEffect(running.actions)).toEqual({ skip: ['d3', 'd4', 'd5'], abort: ['d2'] });
    const result = supersedePlan(running, 'f1', NOW, LIMITS);
    expect(result.plan).toMatchObject({ state: 'superseded', supersededBy: 'f1' });
    expect(result.commands.map((c) => [c.kind, c.actionId])).toEqual([['abort', 'd2']]);
  });
});
