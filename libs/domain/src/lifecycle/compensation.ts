import type { ActionParamsByType, ActionType, ActionV1 } from '@reflex/contracts/plan.v1';
import { isAction, NOT_STARTED } from '../planning/action-params';
import type { SetHostStatusStep } from '../planning/plan-intent';

export interface CompensationStep<T extends ActionType = ActionType> {
  type: T;
  params: ActionParamsByType[T];
}

/**
 * The action that undoes a succeeded one (CONTRACT §6): migrations go back where they came from, a
 * switch-over switches back, a host status is restored to what the planner recorded before it.
 * Evacuate, fence-host, recover-instance and notify have none: a dead host cannot take its
 * instances back, and a restart or a message cannot be taken back.
 */
export function compensationOf(action: ActionV1): CompensationStep | null {
  if (isAction(action, 'live-migrate') || isAction(action, 'cold-migrate')) {
    const { instanceId, fromHostId, toHostId } = action.params;
    return {
      type: action.type,
      params: { instanceId, fromHostId: toHostId, toHostId: fromHostId },
    };
  }
  if (isAction(action, 'switch-over')) {
    const { groupId, fromInstanceId, toInstanceId } = action.params;
    return {
      type: 'switch-over',
      params: { groupId, fromInstanceId: toInstanceId, toInstanceId: fromInstanceId },
    };
  }
  if (isAction(action, 'set-host-status')) {
    const { hostId, status, previousStatus } = action.params as SetHostStatusStep;
    if (!previousStatus) return null;
    const params: SetHostStatusStep = { hostId, status: previousStatus, previousStatus: status };
    return { type: 'set-host-status', params };
  }
  return null;
}

/**
 * Compensations for a plan being rolled back: one per succeeded action that has one, most recently
 * finished first (seq breaks ties), each waiting for the one before so the undo is strictly in
 * reverse order.
 */
export function compensationsFor(actions: readonly ActionV1[], ids: () => string): ActionV1[] {
  const planId = actions[0]?.planId ?? '';
  let seq = actions.reduce((max, a) => Math.max(max, a.seq), 0);
  const succeeded = actions
    .filter((a) => a.state === 'succeeded' && a.compensationFor === null)
    .sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? '') || b.seq - a.seq);
  const broken = brokenInstances(actions);
  const result: ActionV1[] = [];
  for (const original of succeeded) {
    // Switching back to a member whose own repair failed would hand the service to an instance
    // that is down (its host died under the plan): the standby stays active; the reason says why.
    if (isAction(original, 'switch-over') && broken.has(original.params.fromInstanceId)) continue;
    const step = compensationOf(original);
    if (!step) continue;
    const previous = result[result.length - 1];
    result.push({
      id: ids(),
      planId,
      seq: ++seq,
      type: step.type,
      params: step.params,
      dependsOn: previous ? [previous.id] : [],
      ...NOT_STARTED,
      compensationFor: original.id,
    });
  }
  return result;
}

/** Instances whose restart or move failed: the plan could not make them serve again. */
function brokenInstances(actions: readonly ActionV1[]): Set<string> {
  const broken = new Set<string>();
  for (const a of actions) {
    if (a.compensationFor !== null || (a.state !== 'failed' && a.state !== 'aborted')) continue;
    const instanceId = (a.params as { instanceId?: unknown }).instanceId;
    if (a.type === 'recover-instance' && typeof instanceId === 'string') broken.add(instanceId);
  }
  return broken;
}
