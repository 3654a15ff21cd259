import type { PlanState } from '@reflex/contracts/plan.v1';

export interface PlanningOutcome {
  /** The new plan, the plan merged into, or null while waiting. */
  planId: string | null;
  state: PlanState | 'waiting' | 'merged';
  reason: string | null;
}
