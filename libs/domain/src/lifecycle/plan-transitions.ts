import { ConflictError } from '@reflex/common/errors';
import type { ActionState, PlanState } from '@reflex/contracts/plan.v1';

/**
 * Plan transitions. End states have none; `blocked` is finished too (nothing of it ever runs), but an
 * operator may cancel it to dismiss it with a reason. A running plan can be cancelled (its
 * unstarted actions skipped, running ones aborted) or superseded by a higher-ranked decision; a
 * rollback in progress cannot be interrupted, only finish (`rolled_back`) or fail.
 */
export const PLAN_TRANSITIONS: Readonly<Record<PlanState, readonly PlanState[]>> = {
  pending_approval: ['pending', 'cancelled', 'superseded'],
  pending: ['running', 'cancelled', 'superseded'],
  running: ['succeeded', 'failed', 'rolling_back', 'cancelled', 'superseded'],
  rolling_back: ['rolled_back', 'failed'],
  succeeded: [],
  failed: [],
  rolled_back: [],
  cancelled: [],
  superseded: [],
  blocked: ['cancelled'],
};

/**
 * Action transitions. `failed → pending` is a retry (or a re-placement); `pending → failed` is a
 * move whose destination became unusable and that could not be placed again; `succeeded →
 * compensated` is set when the compensation that undoes the action has succeeded.
 */
export const ACTION_TRANSITIONS: Readonly<Record<ActionState, readonly ActionState[]>> = {
  pending: ['running', 'skipped', 'failed'],
  running: ['succeeded', 'failed', 'aborted'],
  failed: ['pending'],
  succeeded: ['compensated'],
  aborted: [],
  skipped: [],
  compensated: [],
};

export const canTransitionPlan = (from: PlanState, to: PlanState): boolean =>
  PLAN_TRANSITIONS[from].includes(to);

export const canTransitionAction = (from: ActionState, to: ActionState): boolean =>
  ACTION_TRANSITIONS[from].includes(to);

export const isFinalPlanState = (state: PlanState): boolean =>
  state === 'blocked' || PLAN_TRANSITIONS[state].length === 0;

/** Final for dispatching purposes: nothing more will happen to the action unless retried. */
export const isSettledAction = (state: ActionState): boolean =>
  state !== 'pending' && state !== 'running';

/** Throws the 409 the API answers when a call does not fit the plan's state. */
export function assertPlanTransition(planId: string, from: PlanState, to: PlanState): void {
  if (!canTransitionPlan(from, to)) {
    throw new ConflictError(`plan ${planId} is ${from}; it cannot become ${to}`, {
      planId,
      from,
      to,
    });
  }
}

export function assertActionTransition(actionId: string, from: ActionState, to: ActionState): void {
  if (!canTransitionAction(from, to)) {
    throw new ConflictError(`action ${actionId} is ${from}; it cannot become ${to}`, {
      actionId,
      from,
      to,
    });
  }
}
