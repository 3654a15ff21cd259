import type { PlanTimelineEventV1 } from '@reflex/contracts';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import type { ActionType, OnFailure, PlanV1 } from '@reflex/contracts/plan.v1';
import type { InventoryChange } from './inventory-effects';

/** A plan as the lifecycle runs it: the wire plan plus what to do when an action fails. */
export interface ExecutablePlan extends PlanV1 {
  onFailure: OnFailure;
}

/** One line of a plan's timeline (`GET /v1/plans/:id/events`): the API's own type. */
export type PlanTimelineEvent = PlanTimelineEventV1;

/**
 * What every lifecycle function returns: the plan after the step (the input is never mutated), the
 * timeline lines to append, the driver commands to send and the inventory changes to apply. The
 * engine persists all four in one transaction (outbox) so a crash cannot split them.
 */
export interface LifecycleResult {
  plan: ExecutablePlan;
  events: PlanTimelineEvent[];
  commands: DriverCommandV1[];
  inventoryChanges: InventoryChange[];
}

export interface LifecycleLimits {
  /** Actions of one plan running at once (config MAX_ACTIONS_PER_PLAN). */
  maxActionsPerPlan: number;
  /** Live migrations leaving one host at once, across all plans (MAX_LIVE_MIGRATIONS_PER_HOST). */
  maxLiveMigrationsPerHost: number;
  /** Executions of one action, first try included, when failures are retriable. */
  maxAttempts: number;
  /** Times one move may be placed again on another host because its destination was unusable. */
  maxReplacements: number;
  /** How long the driver may take per action type before it aborts and fails the action. */
  deadlineSeconds: Record<ActionType, number>;
  /**
   * How long past the deadline the engine waits for the driver's own timeout report before failing
   * the action itself (the driver may be gone).
   */
  deadlineGraceSeconds: number;
}

/** Limits as configured: anything left out takes its default. */
export type LifecycleLimitsInput = Partial<Omit<LifecycleLimits, 'deadlineSeconds'>> & {
  deadlineSeconds?: Partial<Record<ActionType, number>>;
};

export const DEFAULT_DEADLINE_SECONDS: Readonly<Record<ActionType, number>> = Object.freeze({
  'live-migrate': 1800,
  'cold-migrate': 1800,
  evacuate: 1800,
  'switch-over': 300,
  'recover-instance': 900,
  'set-host-status': 60,
  'fence-host': 300,
  notify: 60,
});

export const DEFAULT_LIFECYCLE_LIMITS: Readonly<LifecycleLimits> = Object.freeze({
  maxActionsPerPlan: 8,
  maxLiveMigrationsPerHost: 2,
  maxAttempts: 3,
  maxReplacements: 3,
  deadlineSeconds: DEFAULT_DEADLINE_SECONDS,
  deadlineGraceSeconds: 60,
});

export const addSeconds = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();
