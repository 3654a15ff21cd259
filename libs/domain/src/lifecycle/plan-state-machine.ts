import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { applyDriverEvent, type DriverEventOutcome } from './driver-events';
import {
  DEFAULT_LIFECYCLE_LIMITS,
  type ExecutablePlan,
  type LifecycleLimits,
  type LifecycleLimitsInput,
  type LifecycleResult,
} from './lifecycle.types';
import { nextStep, type NextStep, type StepOptions } from './next-step';
import {
  abortAction,
  approvePlan,
  cancelPlan,
  forceCompleteAction,
  supersedePlan,
  type Actor,
} from './operator-commands';

/**
 * The plan lifecycle bound to one set of limits, for the engine to inject. Every method is pure:
 * it takes the plan and the time, and returns the next plan with its timeline lines, driver
 * commands and inventory changes. Illegal moves throw ConflictError (409).
 */
export class PlanStateMachine {
  readonly limits: LifecycleLimits;

  constructor(
    /** Ids for the compensation actions a rollback adds. */
    private readonly ids: () => string,
    limits: LifecycleLimitsInput = {},
  ) {
    this.limits = {
      ...DEFAULT_LIFECYCLE_LIMITS,
      ...limits,
      deadlineSeconds: { ...DEFAULT_LIFECYCLE_LIMITS.deadlineSeconds, ...limits.deadlineSeconds },
    };
  }

  /**
   * `otherRunning`: running actions of other plans (shared budgets, busy instances);
   * `destinations`: which hosts can take moves, and re-placement of those that cannot.
   */
  next(
    plan: ExecutablePlan,
    now: string,
    otherRunning: StepOptions['otherRunning'] = [],
    destinations?: StepOptions['destinations'],
  ): NextStep {
    return nextStep(plan, now, this.limits, { ids: this.ids, otherRunning, destinations });
  }

  onDriverEvent(plan: ExecutablePlan, event: DriverEventV1, now: string): DriverEventOutcome {
    return applyDriverEvent(plan, event, now, this.limits);
  }

  approve(plan: ExecutablePlan, now: string, actor?: Actor): LifecycleResult {
    return approvePlan(plan, now, this.limits, actor);
  }

  cancel(plan: ExecutablePlan, now: string, actor?: Actor): LifecycleResult {
    return cancelPlan(plan, now, this.limits, actor);
  }

  supersede(plan: ExecutablePlan, byPlanId: string, now: string): LifecycleResult {
    return supersedePlan(plan, byPlanId, now, this.limits);
  }

  abort(plan: ExecutablePlan, actionId: string, now: string, actor?: Actor): LifecycleResult {
    return abortAction(plan, actionId, now, this.limits, actor);
  }

  forceComplete(
    plan: ExecutablePlan,
    actionId: string,
    now: string,
    actor?: Actor,
  ): LifecycleResult {
    return forceCompleteAction(plan, actionId, now, this.limits, actor);
  }
}
