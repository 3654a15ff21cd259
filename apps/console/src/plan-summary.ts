import type { ActionV1, PlanV1 } from '../../../libs/contracts/src/plan.v1';

// Skipped actions never ran: a cancelled plan did not get anywhere.
const DONE = new Set(['succeeded', 'failed', 'aborted', 'compensated']);

/** How far a plan has got: finished actions count whole, running ones by their progress. */
export function planProgress(plan: PlanV1): number {
  if (!plan.actions.length) return plan.finishedAt ? 100 : 0;
  const sum = plan.actions.reduce(
    (total, a) => total + (DONE.has(a.state) ? 100 : a.state === 'running' ? a.progress : 0),
    0,
  );
  return sum / plan.actions.length;
}

export const isMove = (a: ActionV1) =>
  a.type === 'live-migrate' || a.type === 'cold-migrate' || a.type === 'evacuate';

/** `live-migrate vm-1 cmp-01 → cmp-03`, an action in a line. */
export function describeAction(a: ActionV1): string {
  const p = a.params as unknown as Record<string, string>;
  switch (a.type) {
    case 'live-migrate':
    case 'cold-migrate':
    case 'evacuate':
      return `${a.type} ${p.instanceId} ${p.fromHostId} → ${p.toHostId}`;
    case 'switch-over':
      return `switch-over ${p.groupId}: ${p.fromInstanceId} → ${p.toInstanceId}`;
    case 'set-host-status':
      return `set-host-status ${p.hostId} ${p.status}`;
    case 'recover-instance':
      return `recover-instance ${p.instanceId}`;
    case 'fence-host':
      return `fence-host ${p.hostId}`;
    case 'notify':
      return `notify (${p.severity}): ${p.message}`;
    default:
      return `${String(a.type)} ${JSON.stringify(a.params)}`;
  }
}

export const STORM_PREFIX = 'storm guard:';
export const isStormHeld = (p: PlanV1) =>
  p.state === 'pending_approval' && (p.reason ?? '').startsWith(STORM_PREFIX);
