import type { ResourceRefV1 } from '@reflex/contracts';
import type { PlanIntent } from '@reflex/domain';

export interface PlanOutcome {
  planId: string | null;
  state: string;
  reason: string | null;
}

/**
 * Planning as one intake batch sees it: its decisions planned one after another in one critical
 * section, each against the plans the ones before it made.
 */
export interface BatchPlanner {
  /** Names the resources the batch is about before any is planned (their cells lock in order). */
  prepare(resources: readonly ResourceRefV1[]): Promise<void>;
  plan(intent: PlanIntent): Promise<PlanOutcome>;
  /**
   * Takes the planning lock now, which planning takes anyway: a decision that reads what other
   * decisions did (a zone's recent losses) must read it in the order they are made.
   */
  serialize(): Promise<void>;
  /** Cancels the plan if it has not started (pending_approval or pending); false otherwise. */
  cancelIfNotStarted(planId: string, reason: string): Promise<boolean>;
  /** The latest plan (not blocked) this batch made for `rule` on the target, stored yet or not. */
  lastPlanAt(rule: string, kind: string, id: string): Date | null;
}

/**
 * What intake needs from planning, called inside intake's transaction so that the alarms'
 * dispositions and the plans they made commit together (or not at all): `work` decides the batch,
 * and its plans are stored before `batch` returns.
 */
export interface PlanGateway {
  batch<T>(work: (planner: BatchPlanner) => Promise<T>): Promise<T>;
}

export const PLAN_GATEWAY = Symbol('PLAN_GATEWAY');
