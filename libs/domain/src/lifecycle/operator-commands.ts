import { ConflictError } from '@reflex/common/errors';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan, LifecycleLimits, LifecycleResult } from './lifecycle.types';
import { PlanTransaction } from './plan-transaction';

export interface Actor {
  /** The caller's token name, never what the caller says about itself. */
  by?: string;
  reason?: string;
  /** What the caller wrote in `by`: kept beside the actor, never as it. */
  note?: string;
}

/** The note goes in the timeline only when given, so entries without one keep their shape. */
function noted(actor: Actor): { note?: string } {
  return actor.note === undefined ? {} : { note: actor.note };
}

/**
 * pending_approval → pending; `nextStep` then starts it. 409 from any other state. The approver's
 * reason goes in the timeline entry and is appended to the plan's `reason`.
 */
export function approvePlan(
  plan: ExecutablePlan,
  now: string,
  limits: LifecycleLimits,
  actor: Actor = {},
): LifecycleResult {
  const tx = new PlanTransaction(plan, now, limits);
  const why = actor.reason === undefined ? {} : { reason: actor.reason };
  tx.setPlanState('pending', { approvedBy: actor.by ?? null, ...why, ...noted(actor) });
  // Kept on the plan too: whoever reads it later (a failure, an audit) sees why it was let through.
  if (actor.reason !== undefined) {
    const approval = `approved by ${actor.by ?? 'an operator'}: ${actor.reason}`;
    tx.plan.reason = tx.plan.reason ? `${tx.plan.reason}; ${approval}` : approval;
  }
  return tx.result();
}

/**
 * Cancels a plan that has not finished: unstarted actions are skipped and running ones aborted (the
 * driver runs their fail path). What already succeeded stays done: cancel is not rollback. A blocked
 * plan can be cancelled too: the operator dismisses it, and the timeline says who and why.
 */
export function cancelPlan(
  plan: ExecutablePlan,
  now: string,
  limits: LifecycleLimits,
  actor: Actor = {},
): LifecycleResult {
  return stopPlan(plan, now, limits, 'cancelled', {
    cancelledBy: actor.by ?? null,
    reason: actor.reason ?? null,
    ...noted(actor),
  });
}

/** What superseding does to the older plan: as cancel, but pointing at the plan that replaced it. */
export function supersedePlan(
  plan: ExecutablePlan,
  byPlanId: string,
  now: string,
  limits: LifecycleLimits,
): LifecycleResult {
  const result = stopPlan(plan, now, limits, 'superseded', { supersededBy: byPlanId });
  result.plan.supersededBy = byPlanId;
  return result;
}

function stopPlan(
  plan: ExecutablePlan,
  now: string,
  limits: LifecycleLimits,
  to: 'cancelled' | 'superseded',
  detail: Record<string, unknown>,
): LifecycleResult {
  const tx = new PlanTransaction(plan, now, limits);
  tx.setPlanState(to, detail);
  for (const action of tx.actions) {
    if (action.state === 'pending') tx.setActionState(action, 'skipped', { reason: to });
    else if (action.state === 'running') tx.send('abort', action, { reason: to });
  }
  return tx.result();
}

/** Asks the driver to abort a running action; its `aborted` event then changes the state. */
export const abortAction = driverCommand(
  'abort',
  (action) =>
    action.state === 'running' ? null : `${action.state}; only a running action can be aborted`,
  (actor) => ({ by: actor.by ?? null, reason: actor.reason ?? null, ...noted(actor) }),
);

/** Live migration only: tell the driver to pause the guest and finish the copy now. */
export const forceCompleteAction = driverCommand(
  'force-complete',
  (action) =>
    action.type === 'live-migrate' && action.state === 'running'
      ? null
      : `a ${action.state} ${action.type}; only a running live-migrate can be force-completed`,
  (actor) => ({ by: actor.by ?? null, ...noted(actor) }),
);

/**
 * An operator's command about one action, sent to the driver; 409 when `refusal` says what the
 * action is instead of one the command applies to.
 */
function driverCommand(
  kind: 'abort' | 'force-complete',
  refusal: (action: ActionV1) => string | null,
  detail: (actor: Actor) => Record<string, unknown>,
) {
  return (
    plan: ExecutablePlan,
    actionId: string,
    now: string,
    limits: LifecycleLimits,
    actor: Actor = {},
  ): LifecycleResult => {
    const tx = new PlanTransaction(plan, now, limits);
    const action = tx.action(actionId);
    const refused = refusal(action);
    if (refused !== null) throw new ConflictError(`action ${actionId} is ${refused}`);
    tx.send(kind, action, detail(actor));
    return tx.result();
  };
}
