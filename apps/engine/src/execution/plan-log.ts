import { isFinalPlanState, type ExecutablePlan, type PlanTimelineEvent } from '@reflex/domain';

/**
 * The info lines an operator follows a plan by (issue 20: a whole session used to log three).
 * Ids are fields, not text, so that log search follows an alarm to its plan and the plan to its end.
 */
export function planCreatedLine(plan: ExecutablePlan): Record<string, unknown> {
  return {
    msg: `plan created: ${plan.policy} of ${plan.target.kind} ${plan.target.id} (${plan.state})`,
    planId: plan.id,
    policy: plan.policy,
    target: `${plan.target.kind}:${plan.target.id}`,
    rule: plan.trigger.rule,
    ruleVersion: plan.trigger.ruleVersion,
    alarm: `${plan.trigger.source}/${plan.trigger.alarmId}`,
    mode: plan.mode,
    state: plan.state,
    actions: plan.actions.length,
    reason: plan.reason,
  };
}

/** What an operator did in this step, from its timeline lines: who approved or cancelled, and why. */
function operatorMove(
  events: readonly PlanTimelineEvent[],
): { verb: string; by: unknown; why: unknown } | null {
  for (const e of events) {
    if (e.type !== 'plan.state') continue;
    if ('approvedBy' in e.detail)
      return { verb: 'approved', by: e.detail.approvedBy, why: e.detail.reason };
    if ('cancelledBy' in e.detail)
      return { verb: 'cancelled', by: e.detail.cancelledBy, why: e.detail.reason };
  }
  return null;
}

export function planSteppedLine(
  before: ExecutablePlan,
  after: ExecutablePlan,
  events: readonly PlanTimelineEvent[],
  dispatched: ReadonlyArray<{ kind: string; actionId: string; attempt: number; type: string }>,
): Record<string, unknown> | null {
  const move = operatorMove(events);
  if (after.state === before.state && dispatched.length === 0 && !move) return null;
  const finished = isFinalPlanState(after.state) && !isFinalPlanState(before.state);
  const msg = move
    ? `plan ${move.verb} by ${typeof move.by === 'string' ? move.by : 'an operator'}`
    : finished
      ? `plan finished: ${after.state}`
      : `plan ${after.state}`;
  return {
    msg,
    planId: after.id,
    policy: after.policy,
    target: `${after.target.kind}:${after.target.id}`,
    from: before.state,
    to: after.state,
    ...(move ? { by: move.by ?? null, operatorReason: move.why ?? null } : {}),
    ...(finished ? { reason: after.reason } : {}),
    dispatched,
  };
}
