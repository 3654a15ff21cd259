import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { ActionV1, PlanState, Policy } from '@reflex/contracts/plan.v1';
import { isLivePlan } from '../planning/in-flight';
import { isEmpty, overlaps, type ResourceSet } from '../planning/resource-set';

/**
 * Which decision wins when two want the same resources. Ordered by what is at stake right now:
 *
 * 1. host-failover (70): a host is gone and everything on it is down; nothing may stand in its way.
 * 2. switch-over (60): one group's service is down; restoring it beats any planned work.
 * 3. host-restore (50): a host is coming back; it brings capacity and the standbys that live on it,
 *    and it outranks the moves below that would otherwise work around that host.
 * 4. restore-redundancy (40): nothing is down, but a group has lost its safety margin.
 * 5. host-drain (30): planned maintenance, asked for by an operator; it can wait and be re-asked.
 * 6. migrate-off (20): proactive, a host only looks unwell; the cheapest to postpone.
 * 7. notify (10): changes nothing, so it never conflicts at all (see below).
 */
export const POLICY_RANK: Readonly<Record<Policy, number>> = {
  'host-failover': 70,
  'switch-over': 60,
  'host-restore': 50,
  'restore-redundancy': 40,
  'host-drain': 30,
  'migrate-off': 20,
  notify: 10,
};

/** What a decision (new) or plan (live) holds, as the planner reported it (`PlanDraft.holds`). */
export interface Claim {
  policy: Policy;
  target: ResourceRefV1;
  holds: ResourceSet;
}

export interface LiveClaim extends Claim {
  planId: string;
  state: PlanState;
}

export type ConflictDecision =
  | { decision: 'proceed' }
  | { decision: 'merge'; planId: string; reason: string }
  | { decision: 'wait'; planIds: string[]; reason: string }
  | { decision: 'supersede'; planIds: string[]; reason: string };

const describe = (set: ResourceSet): string =>
  [
    ...set.hosts.map((id) => `host ${id}`),
    ...set.instances.map((id) => `instance ${id}`),
    ...set.groups.map((id) => `group ${id}`),
  ].join(', ');

/**
 * Failovers of different hosts that share only groups run side by side (CONTRACT §9): in a storm
 * most failovers share N+1 groups, and waiting would recover one host after another. The later one
 * is planned against the state the earlier will leave (`promisedView`: its promotions, fences and
 * reservations counted), so no standby is promoted twice. A shared host or instance, or a holder
 * rolling back, still means waiting: those change what the later plan would act on.
 */
function sideBySide(incoming: Claim, live: LiveClaim, shared: ResourceSet): boolean {
  return (
    incoming.policy === 'host-failover' &&
    live.policy === 'host-failover' &&
    live.state !== 'rolling_back' &&
    !shared.hosts.length &&
    !shared.instances.length
  );
}

/**
 * One live plan per resource. A new decision that wants resources held by live plans:
 * - merges into a live plan of the same policy on the same target (the same decision, re-triggered:
 *   the engine attaches the alarm to that plan and makes no new one);
 * - supersedes every holder it outranks (their unstarted actions are skipped, running ones aborted:
 *   `supersedePlan`), except a plan rolling back, whose undo is never interrupted;
 * - otherwise waits for the holders to finish, then is planned again on the inventory they leave,
 *   except failovers of other hosts sharing only groups with it (`sideBySide`).
 * If it must wait for any holder it waits, even if it outranks others: half-superseding would
 * leave the resource to the plan it waits for anyway.
 *
 * Notify plans touch nothing, so they neither wait nor block. After `supersede`, plan again without
 * the superseded plans' reservations, since their moves will not happen.
 */
export function decideConflict(incoming: Claim, live: readonly LiveClaim[]): ConflictDecision {
  if (incoming.policy === 'notify') return { decision: 'proceed' };
  const holders = live
    .filter((p) => p.policy !== 'notify' && isLivePlan(p))
    .map((p) => ({ plan: p, shared: overlaps(incoming.holds, p.holds) }))
    .filter((h) => !isEmpty(h.shared))
    .sort((a, b) => (a.plan.planId < b.plan.planId ? -1 : 1));
  if (!holders.length) return { decision: 'proceed' };

  const same = holders.find(
    (h) =>
      h.plan.policy === incoming.policy &&
      h.plan.target.kind === incoming.target.kind &&
      h.plan.target.id === incoming.target.id,
  );
  if (same) {
    return {
      decision: 'merge',
      planId: same.plan.planId,
      reason: `plan ${same.plan.planId} already applies ${incoming.policy} to ${incoming.target.kind} ${incoming.target.id}`,
    };
  }

  const contested = holders.filter((h) => !sideBySide(incoming, h.plan, h.shared));
  if (!contested.length) return { decision: 'proceed' };
  const rank = POLICY_RANK[incoming.policy];
  const blockers = contested.filter(
    (h) => h.plan.state === 'rolling_back' || POLICY_RANK[h.plan.policy] >= rank,
  );
  if (blockers.length) {
    return {
      decision: 'wait',
      planIds: blockers.map((h) => h.plan.planId),
      reason: blockers
        .map((h) =>
          h.plan.state === 'rolling_back'
            ? `plan ${h.plan.planId} is rolling back (${describe(h.shared)})`
            : `plan ${h.plan.planId} (${h.plan.policy}) holds ${describe(h.shared)} and ranks at least as high`,
        )
        .join('; '),
    };
  }
  return {
    decision: 'supersede',
    planIds: contested.map((h) => h.plan.planId),
    reason: contested
      .map(
        (h) =>
          `${incoming.policy} outranks ${h.plan.policy} of plan ${h.plan.planId} on ${describe(h.shared)}`,
      )
      .join('; '),
  };
}

/** What superseding does to a plan's actions, for display before it is done. */
export function supersedeEffect(actions: readonly ActionV1[]): { skip: string[]; abort: string[] } {
  return {
    skip: actions.filter((a) => a.state === 'pending').map((a) => a.id),
    abort: actions.filter((a) => a.state === 'running').map((a) => a.id),
  };
}
