/** Shared by the lifecycle specs: a drain plan to run, and driver replies to feed it. */
import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { buildPlan } from '../planning/plan-builder';
import type { PlanIntent } from '../planning/plan-intent';
import { NOW, PLANNING, host, intent, inventory, sequentialIds, vm } from './topology.fixture';
import { applyDriverEvent } from '../lifecycle/driver-events';
import {
  DEFAULT_LIFECYCLE_LIMITS,
  addSeconds,
  type ExecutablePlan,
  type LifecycleLimits,
} from '../lifecycle/lifecycle.types';
import { nextStep, type NextStep } from '../lifecycle/next-step';
import { planFromDraft } from '../lifecycle/plan-factory';

export const LIMITS: LifecycleLimits = { ...DEFAULT_LIFECYCLE_LIMITS, maxLiveMigrationsPerHost: 2 };
export const at = (seconds: number): string => addSeconds(NOW, seconds);

/**
 * Drain of h1 holding vm-1..vm-3: a2 disable, a3..a5 live-migrate, a6 maintenance (depends on
 * a3..a5).
 */
export function drainPlan(over: Partial<PlanIntent> = {}): ExecutablePlan {
  const inv = inventory(
    [host('h1'), host('h2'), host('h3')],
    [vm('vm-1', 'h1'), vm('vm-2', 'h1'), vm('vm-3', 'h1')],
  );
  const draft = buildPlan(
    intent('host-drain', { kind: 'host', id: 'h1' }, over),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );
  return planFromDraft(draft, NOW).plan;
}

export function reply(
  plan: ExecutablePlan,
  actionId: string,
  status: DriverEventV1['status'],
  seconds: number,
  extra: Partial<DriverEventV1> = {},
): ExecutablePlan {
  const action = plan.actions.find((a) => a.id === actionId)!;
  const event: DriverEventV1 = {
    actionId,
    attempt: action.attempts,
    status,
    at: at(seconds),
    ...extra,
  };
  return applyDriverEvent(plan, event, at(seconds), LIMITS).plan;
}

export const states = (plan: ExecutablePlan): Record<string, string> =>
  Object.fromEntries(plan.actions.map((a) => [a.id, a.state]));

/** nextStep at `seconds` after NOW, with compensation ids c1, c2, ... */
export const advance = (plan: ExecutablePlan, seconds: number): NextStep =>
  nextStep(plan, at(seconds), LIMITS, { ids: sequentialIds('c') });
