import type { ActionV1, PlanState, PlanV1 } from '@reflex/contracts/plan.v1';
import { isAction, isMove } from '../planning/action-params';

/** An action as an operator names it: its type and what it works on. */
export function describeAction(action: ActionV1): string {
  if (isMove(action)) {
    const { instanceId, fromHostId, toHostId } = action.params;
    return `${action.type} ${instanceId} ${fromHostId} -> ${toHostId}`;
  }
  if (isAction(action, 'switch-over')) {
    const { groupId, fromInstanceId, toInstanceId } = action.params;
    return `switch-over ${groupId} ${fromInstanceId} -> ${toInstanceId}`;
  }
  if (isAction(action, 'recover-instance')) return `recover-instance ${action.params.instanceId}`;
  if (isAction(action, 'set-host-status')) {
    return `set-host-status ${action.params.hostId} ${action.params.status}`;
  }
  if (isAction(action, 'fence-host')) return `fence-host ${action.params.hostId}`;
  return action.type;
}

const failedOf = (plan: PlanV1) =>
  plan.actions.filter((a) => a.state === 'failed' || a.state === 'aborted');

function failure(action: ActionV1): string {
  const role = action.compensationFor ? ' (compensation)' : '';
  const error = action.error ?? (action.state === 'aborted' ? null : 'no error reported');
  return `${describeAction(action)}${role} ${action.state}${error ? `: ${error}` : ''}`;
}

const LEAD: Partial<Record<PlanState, string>> = {
  failed: 'failed',
  rolled_back: 'rolled back after',
};

/**
 * The reason a plan ending `failed` or `rolled_back` carries (CONTRACT §9): every failed or aborted
 * action with its type, what it worked on and its error, then whatever the planner had noted. Other
 * states keep the reason they have.
 */
export function endReason(plan: PlanV1, to: PlanState): string | null {
  const lead = LEAD[to];
  if (!lead) return plan.reason;
  const failed = failedOf(plan);
  const summary = failed.length
    ? `${lead}: ${failed.map(failure).join('; ')}`
    : `${lead}: no action reported a failure`;
  return plan.reason ? `${summary}; planned with: ${plan.reason}` : summary;
}
