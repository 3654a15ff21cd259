import type { OnFailure, PlanMode, PlanState } from '@reflex/contracts/plan.v1';
import { isMove } from '../planning/action-params';
import type { PlanIntent } from '../planning/plan-intent';
import type { ExecutablePlan } from './lifecycle.types';
import { isFinalPlanState } from './plan-transitions';

export interface Arrival {
  instanceId: string;
  hostId: string;
  planId: string;
}

/** Instances whose move succeeded in this step: they have just arrived on their destinations. */
export function arrivals(before: ExecutablePlan, after: ExecutablePlan): Arrival[] {
  const was = new Map(before.actions.map((a) => [a.id, a.state]));
  return after.actions
    .filter(isMove)
    .filter((a) => a.state === 'succeeded' && was.get(a.id) !== 'succeeded')
    .map((a) => ({ instanceId: a.params.instanceId, hostId: a.params.toHostId, planId: after.id }));
}

/** The latest failover of a host, as stored: enough to repeat its decision. */
export interface StoredFailover {
  id: string;
  state: PlanState;
  mode: PlanMode;
  onFailure: OnFailure;
  rule: PlanIntent['rule'];
  alarm: PlanIntent['alarm'];
  params: Record<string, unknown>;
}

const NOT_REPEATED: readonly PlanState[] = ['cancelled', 'superseded', 'blocked'];

/**
 * A move that succeeds onto a host whose failover was planned before the move's success was known
 * lands an instance the failover never saw: without a follow-up it stays down on a dead host (the
 * chaos suite saw this when a drain's live migration finished just as its destination died). The
 * follow-up is the same decision again (same rule, alarm, mode and params) for what arrived late;
 * the engine plans it once that failover and the plans that made the moves have finished, against
 * the inventory they leave.
 *
 * None when the host is up and its failover is over (an old failover, the host since restored), or
 * when an operator cancelled the failover or it was refused or superseded: those are decisions
 * the late arrival does not change.
 */
export function lateArrivalFollowUp(
  failover: StoredFailover | null,
  hostStatus: string | undefined,
  arrived: readonly Arrival[],
): { intent: PlanIntent; waitFor: string[]; reason: string } | null {
  if (!failover || !arrived.length || NOT_REPEATED.includes(failover.state)) return null;
  const live = !isFinalPlanState(failover.state);
  if (!live && hostStatus === 'up') return null;
  const hostId = arrived[0].hostId;
  const what = arrived.map((a) => `${a.instanceId} (moved by plan ${a.planId})`).join(', ');
  const reason = `instances arrived on host ${hostId} after its failover ${failover.id} was planned: ${what}`;
  return {
    intent: repeat(failover, hostId, { of: failover.id, reason }),
    // After the plans that moved them too: they hold the instances until they finish, and a
    // failover would supersede them (a drain's maintenance would never complete).
    waitFor: [...(live ? [failover.id] : []), ...new Set(arrived.map((a) => a.planId))],
    reason,
  };
}

/** The same decision again for the same host, saying why in its explanation. */
function repeat(failover: StoredFailover, hostId: string, followUp: FollowUp): PlanIntent {
  return {
    policy: 'host-failover',
    target: { kind: 'host', id: hostId },
    mode: failover.mode,
    onFailure: failover.onFailure,
    rule: failover.rule,
    alarm: failover.alarm,
    params: failover.params,
    explanation: { followUp },
  };
}

interface FollowUp {
  of: string;
  reason: string;
  secondChance?: true;
}

/**
 * A failover that ended failed or rolled back with instances still down on its host (in a storm
 * with crashes: four dead destinations in a row, each still `up` in the inventory) is planned once
 * more, on the inventory as it is now, in which the hosts that refused are `disabled` and the dead
 * ones known. Only once: a second chance that fails too is left to the operator, with its reason,
 * rather than tried forever (a host whose instances fit nowhere would loop).
 */
export function secondChance(
  failover: StoredFailover & { state: PlanState; explanation: unknown },
  hostId: string,
  stillDown: readonly string[],
): { intent: PlanIntent; reason: string } | null {
  if (failover.state !== 'failed' && failover.state !== 'rolled_back') return null;
  if (!stillDown.length) return null;
  const previous = (failover.explanation as { decision?: { followUp?: FollowUp } } | null)?.decision
    ?.followUp;
  if (previous?.secondChance) return null;
  const reason =
    `failover ${failover.id} ended ${failover.state} with ${stillDown.length} instance(s) still ` +
    `down on host ${hostId} (${stillDown.slice(0, 10).join(', ')}${stillDown.length > 10 ? ', ...' : ''}): planned once more`;
  return {
    intent: repeat(failover, hostId, { of: failover.id, reason, secondChance: true }),
    reason,
  };
}
