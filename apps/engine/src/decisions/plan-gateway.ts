import type { PlanIntent } from '@reflex/domain';
import type { EntityManager } from 'typeorm';

export interface PlanOutcome {
  planId: string | null;
  state: string;
  reason: string | null;
}

/**
 * What intake needs from planning, called inside intake's transaction so that an alarm's disposition
 * and the plan it made commit together (or not at all).
 */
export interface PlanGateway {
  createPlan(manager: EntityManager, intent: PlanIntent): Promise<PlanOutcome>;
  /**
   * Takes the planning lock now, which creating a plan takes anyway: a decision that reads what
   * other decisions did (a zone's recent losses) must read it in the order they are made.
   */
  serialize(manager: EntityManager): Promise<void>;
  /** Cancels the plan if it has not started (pending_approval or pending); false otherwise. */
  cancelIfNotStarted(manager: EntityManager, planId: string, reason: string): Promise<boolean>;
}

export const PLAN_GATEWAY = Symbol('PLAN_GATEWAY');
