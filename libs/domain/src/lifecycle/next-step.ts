import type { ActionV1, PlanState } from '@reflex/contracts/plan.v1';
import { compensationsFor } from './compensation';
import { type RunningIndex, selectReady } from './dispatch';
import {
  addSeconds,
  type ExecutablePlan,
  type LifecycleLimits,
  type LifecycleResult,
} from './lifecycle.types';
import { isFinalPlanState } from './plan-transitions';
import { PlanTransaction } from './plan-transaction';
import { abortMovesToDownHosts, replaceMoves, type Destinations } from './re-placement';

export interface StepOptions {
  /** Ids for compensation actions, added when a plan rolls back. */
  ids: () => string;
  /** Running actions of other plans (live-migration budgets, instances busy elsewhere). */
  otherRunning?: readonly ActionV1[] | RunningIndex;
  /**
   * Which hosts can take moves now, and a way to place a move again (CONTRACT §9 re-placement).
   * Without it only moves a driver already found a destination unusable for are known to need a
   * new one, and they wait.
   */
  destinations?: Destinations;
}

const NO_DESTINATIONS: Destinations = { unusable: () => null };

export interface NextStep extends LifecycleResult {
  /** Actions that moved to running in this step (their execute commands are in `commands`). */
  dispatched: ActionV1[];
  /** Compensation actions added in this step. */
  compensations: ActionV1[];
  /** The end state the plan reached in this step, or null. */
  finished: PlanState | null;
}

const isFailure = (a: ActionV1) => a.state === 'failed' || a.state === 'aborted';
const isOpen = (a: ActionV1) => a.state === 'pending' || a.state === 'running';

/**
 * Advances a plan as far as it can go now: the engine calls it after creating or approving a plan,
 * after every driver event and on a timer (deadlines). Idempotent: calling it twice in a row with
 * nothing new in between changes nothing the second time.
 */
export function nextStep(
  plan: ExecutablePlan,
  now: string,
  limits: LifecycleLimits,
  options: StepOptions,
): NextStep {
  const tx = new PlanTransaction(plan, now, limits);
  const step = { dispatched: [] as ActionV1[], compensations: [] as ActionV1[] };
  if (plan.state === 'pending' || plan.state === 'running' || plan.state === 'rolling_back') {
    enforceDeadlines(tx, limits);
    if (tx.plan.state === 'rolling_back') rollBack(tx, options, step);
    else goForward(tx, options, step);
  }
  const finished =
    isFinalPlanState(tx.plan.state) && tx.plan.state !== plan.state ? tx.plan.state : null;
  return { ...tx.result(), ...step, finished };
}

/**
 * Host actions that are the same done twice (a status set, a power-off): when their result is lost
 * (a driver killed mid-action) a new attempt is safe. Without this a failover whose set-host-status
 * missed its deadline skipped every evacuation behind it and left the host's instances down.
 */
const SAFE_TO_REPEAT: ReadonlySet<ActionV1['type']> = new Set(['set-host-status', 'fence-host']);

/** The driver enforces deadlines itself; this catches the case where it never reported back. */
function enforceDeadlines(tx: PlanTransaction, limits: LifecycleLimits): void {
  for (const action of tx.actions.filter((a) => a.state === 'running')) {
    const limit = addSeconds(tx.deadlineOf(action), limits.deadlineGraceSeconds);
    if (Date.parse(tx.now) <= Date.parse(limit)) continue;
    tx.setActionState(action, 'failed', { reason: 'deadline', deadline: tx.deadlineOf(action) });
    action.error = `no result from the driver by the deadline ${tx.deadlineOf(action)}`;
    tx.send('abort', action, { reason: 'deadline' });
    if (SAFE_TO_REPEAT.has(action.type) && action.attempts < limits.maxAttempts) {
      tx.setActionState(action, 'pending', { retry: action.attempts + 1, error: action.error });
    }
  }
}

type StepOut = { dispatched: ActionV1[]; compensations: ActionV1[] };

function goForward(tx: PlanTransaction, options: StepOptions, step: StepOut): void {
  abortMovesToDownHosts(tx, options.destinations ?? NO_DESTINATIONS);
  const waiting = replaceMoves(tx, options.destinations ?? NO_DESTINATIONS);
  const failed = tx.actions.filter(isFailure);
  if (failed.length) {
    const failedIds = failed.map((a) => a.id);
    if (tx.plan.onFailure === 'rollback') {
      tx.setPlanState('rolling_back', { failed: failedIds });
      for (const a of tx.actions.filter((x) => x.state === 'pending')) {
        tx.setActionState(a, 'skipped', { reason: 'plan rolling back' });
      }
      for (const a of tx.actions.filter((x) => x.state === 'running')) {
        tx.send('abort', a, { reason: 'plan rolling back' });
      }
      rollBack(tx, options, step);
      return;
    }
    if (tx.plan.onFailure === 'stop') {
      for (const a of tx.actions.filter((x) => x.state === 'pending')) {
        tx.setActionState(a, 'skipped', { reason: 'plan stopped', failed: failedIds });
      }
    } else {
      skipDependents(tx);
    }
  }
  dispatch(tx, options, step, waiting);
  if (tx.actions.some(isOpen)) return;
  if (tx.plan.state === 'pending') tx.setPlanState('running');
  const failures = tx.actions.filter(isFailure).map((a) => a.id);
  if (failures.length) tx.setPlanState('failed', { failed: failures });
  else tx.setPlanState('succeeded');
}

/** Under `continue`, whatever depends (even indirectly) on a failed action cannot run. */
function skipDependents(tx: PlanTransaction): void {
  const bad = new Set(
    tx.actions.filter((a) => isFailure(a) || a.state === 'skipped').map((a) => a.id),
  );
  let changed = true;
  while (changed) {
    changed = false;
    for (const a of tx.actions.filter((x) => x.state === 'pending')) {
      const cause = a.dependsOn.find((id) => bad.has(id));
      if (!cause) continue;
      tx.setActionState(a, 'skipped', { reason: 'dependency did not succeed', dependency: cause });
      bad.add(a.id);
      changed = true;
    }
  }
}

function rollBack(tx: PlanTransaction, options: StepOptions, step: StepOut): void {
  const originals = tx.actions.filter((a) => a.compensationFor === null);
  // Undo only once every original has stopped moving: one still running may yet succeed.
  if (originals.some((a) => a.state === 'running')) return;
  let compensations = tx.actions.filter((a) => a.compensationFor !== null);
  if (!compensations.length) {
    compensations = compensationsFor(originals, options.ids);
    if (!compensations.length) {
      tx.setPlanState('rolled_back', { compensations: 0 });
      return;
    }
    for (const c of compensations) {
      tx.addAction(c, { compensationFor: c.compensationFor });
      step.compensations.push(c);
    }
  }
  for (const c of compensations.filter((x) => x.state === 'succeeded')) {
    const original = tx.action(c.compensationFor!);
    if (original.state === 'succeeded') {
      tx.setActionState(original, 'compensated', { by: c.id });
    }
  }
  const failed = compensations.filter(isFailure);
  if (failed.length) {
    for (const c of compensations.filter((x) => x.state === 'pending')) {
      tx.setActionState(c, 'skipped', { reason: 'an earlier compensation failed' });
    }
    if (!compensations.some((x) => x.state === 'running')) {
      tx.setPlanState('failed', { compensationFailed: failed.map((c) => c.id) });
    }
    return;
  }
  dispatch(tx, options, step);
  if (compensations.every((c) => c.state === 'succeeded')) {
    tx.setPlanState('rolled_back', { compensations: compensations.length });
  }
}

function dispatch(
  tx: PlanTransaction,
  options: StepOptions,
  step: StepOut,
  waiting: ReadonlySet<string> = new Set(),
): void {
  // During a rollback every original action has settled, so only compensations can be pending.
  const ready = selectReady(tx.actions, tx.limits, options.otherRunning).filter(
    (a) => !waiting.has(a.id),
  );
  if (ready.length && tx.plan.state === 'pending') tx.setPlanState('running');
  for (const action of ready) {
    tx.setActionState(action, 'running', { attempt: action.attempts + 1 });
    tx.send('execute', action);
    step.dispatched.push(action);
  }
}
