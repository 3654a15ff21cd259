// What the plan and action routes answer beyond Plan v1 and Action v1 themselves.
import type { ActionV1 } from '../plan.v1';

/** One line of a plan's timeline, as the lifecycle writes it. */
export interface PlanTimelineEventV1 {
  at: string;
  planId: string;
  actionId: string | null;
  type: 'plan.state' | 'action.state' | 'action.command' | 'plan.note';
  from: string | null;
  to: string | null;
  detail: Record<string, unknown>;
}

/** A timeline line as `GET /v1/plans/:id/events` answers it, oldest first. */
export interface TimelineEntryV1 extends PlanTimelineEventV1 {
  /** Orders the timeline even when two entries share `at`. */
  id: string;
  /** The entry's own action as an operator names it (`evacuate vm-1 cmp-04 -> cmp-07`); null for plan lines. */
  action: string | null;
  /** Every action of the plan the entry's detail refers to by id, named. */
  actions: Record<string, string>;
}

/** An action as `GET /v1/actions` lists it: Action v1 and when it was made. */
export interface ActionListItemV1 extends ActionV1 {
  createdAt: string;
}
