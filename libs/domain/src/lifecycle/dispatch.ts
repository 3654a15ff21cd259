import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { isAction, isMove } from '../planning/action-params';
import type { LifecycleLimits } from './lifecycle.types';

/** Instances an action works on: one of them busy elsewhere holds the action back. */
export function instancesOf(action: ActionV1): string[] {
  if (isMove(action)) return [action.params.instanceId];
  if (isAction(action, 'recover-instance')) return [action.params.instanceId];
  if (isAction(action, 'switch-over')) {
    return [action.params.fromInstanceId, action.params.toInstanceId];
  }
  return [];
}

/** Running live migrations per source host, the unit MAX_LIVE_MIGRATIONS_PER_HOST limits. */
export function liveMigrationsBySource(actions: readonly ActionV1[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of actions) {
    if (a.state === 'running' && isAction(a, 'live-migrate')) {
      counts.set(a.params.fromHostId, (counts.get(a.params.fromHostId) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Other plans' running actions as dispatching reads them: live migrations per source host and the
 * instances being worked on. Built once and added to, for a planning batch whose new plans each
 * dispatch against all the others, rather than recounted from the list for every plan.
 */
export class RunningIndex {
  readonly migrationsBySource = new Map<string, number>();
  readonly busy = new Set<string>();

  constructor(actions: readonly ActionV1[] = []) {
    for (const action of actions) this.add(action);
  }

  add(action: ActionV1): void {
    if (action.state !== 'running') return;
    if (isAction(action, 'live-migrate')) {
      const from = action.params.fromHostId;
      this.migrationsBySource.set(from, (this.migrationsBySource.get(from) ?? 0) + 1);
    }
    for (const id of instancesOf(action)) this.busy.add(id);
  }
}

/**
 * Pending actions that may start now, in seq order: every dependency succeeded, no instance of
 * theirs is being worked on by another plan (a superseded plan's abort may still be under way), the
 * plan stays within its running-actions budget and each source host within its live-migration
 * budget, counting other plans' migrations too.
 */
export function selectReady(
  actions: readonly ActionV1[],
  limits: LifecycleLimits,
  otherRunning: readonly ActionV1[] | RunningIndex = [],
): ActionV1[] {
  const byId = new Map(actions.map((a) => [a.id, a]));
  let slots = limits.maxActionsPerPlan - actions.filter((a) => a.state === 'running').length;
  const others =
    otherRunning instanceof RunningIndex ? otherRunning : new RunningIndex(otherRunning);
  const perHost = new Map(others.migrationsBySource);
  for (const [from, n] of liveMigrationsBySource(actions)) {
    perHost.set(from, (perHost.get(from) ?? 0) + n);
  }
  const busy = others.busy;
  const ready: ActionV1[] = [];
  const pending = actions.filter((a) => a.state === 'pending').sort((a, b) => a.seq - b.seq);
  for (const action of pending) {
    if (slots <= 0) break;
    if (!action.dependsOn.every((id) => byId.get(id)?.state === 'succeeded')) continue;
    if (instancesOf(action).some((id) => busy.has(id))) continue;
    if (isAction(action, 'live-migrate')) {
      const from = action.params.fromHostId;
      const running = perHost.get(from) ?? 0;
      if (running >= limits.maxLiveMigrationsPerHost) continue;
      perHost.set(from, running + 1);
    }
    ready.push(action);
    slots -= 1;
  }
  return ready;
}
