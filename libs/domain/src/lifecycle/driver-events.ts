import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { inventoryEffects } from './inventory-effects';
import type { ExecutablePlan, LifecycleLimits, LifecycleResult } from './lifecycle.types';
import { PlanTransaction } from './plan-transaction';
import {
  isAbortForReplacement,
  isDestinationFailure,
  recordDestinationAbort,
  recordDestinationFailure,
} from './re-placement';

export interface DriverEventOutcome extends LifecycleResult {
  /** Why the event changed nothing (unknown action, stale attempt, duplicate), or null. */
  ignored: string | null;
}

const describe = (error: DriverEventV1['error']): string =>
  error === undefined
    ? 'failed without detail'
    : typeof error === 'string'
      ? error
      : `${error.code}: ${error.message}`;

/** A failure reported as a bare string says nothing about retrying: re-running is not assumed safe. */
const retriable = (error: DriverEventV1['error']): boolean =>
  typeof error === 'object' && error.retriable === true;

/**
 * Records one driver event on its action. Delivery is at-least-once, so an event for an attempt
 * that is not the current one, or a repeat of a final status, is ignored. A retriable failure with
 * attempts left puts the action back to pending for `nextStep` to dispatch again; so does a move's
 * destination failure with re-placements left, for `nextStep` to place it elsewhere first. A success reported
 * after the engine gave up on the action (deadline) still yields its inventory changes: the cloud
 * did change.
 */
export function applyDriverEvent(
  plan: ExecutablePlan,
  event: DriverEventV1,
  now: string,
  limits: LifecycleLimits,
): DriverEventOutcome {
  const tx = new PlanTransaction(plan, now, limits);
  const ignore = (why: string): DriverEventOutcome => ({ ...tx.result(), ignored: why });
  const action = tx.actions.find((a) => a.id === event.actionId);
  if (!action) return ignore(`unknown action ${event.actionId}`);
  if (event.attempt !== action.attempts) {
    return ignore(`stale attempt ${event.attempt} (current ${action.attempts})`);
  }
  if (action.state !== 'running') {
    if (event.status === 'succeeded' && action.state === 'failed') {
      tx.note({ lateSuccess: true, attempt: event.attempt, at: event.at }, action.id);
      tx.inventory(inventoryEffects(action));
      return { ...tx.result(), ignored: null };
    }
    return ignore(`action is ${action.state}`);
  }
  switch (event.status) {
    case 'accepted':
      return { ...tx.result(), ignored: null };
    case 'progress':
      action.progress = Math.max(0, Math.min(100, event.progress ?? action.progress));
      return { ...tx.result(), ignored: null };
    case 'succeeded':
      tx.setActionState(action, 'succeeded', { attempt: event.attempt, driverAt: event.at });
      tx.inventory(inventoryEffects(action));
      break;
    case 'aborted':
      // The engine's own abort of a move whose destination went down: a destination failure.
      if (isAbortForReplacement(action)) recordDestinationAbort(tx, action, event);
      else tx.setActionState(action, 'aborted', { attempt: event.attempt, driverAt: event.at });
      break;
    case 'failed': {
      const error = describe(event.error);
      tx.setActionState(action, 'failed', { attempt: event.attempt, error, driverAt: event.at });
      action.error = error;
      if (isDestinationFailure(action, event.error)) {
        recordDestinationFailure(tx, action, error);
      } else if (retriable(event.error) && action.attempts < limits.maxAttempts) {
        tx.setActionState(action, 'pending', { retry: action.attempts + 1, error });
      }
      break;
    }
  }
  return { ...tx.result(), ignored: null };
}
