import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { HostStatus } from '@reflex/contracts/inventory.v1';
import type {
  ActionV1,
  OnFailure,
  PlanMode,
  PlanTriggerV1,
  Policy,
  SetHostStatusParams,
} from '@reflex/contracts/plan.v1';
import type { PlacementConfig, PlacementResult, Reservation } from '../placement/placement.types';
import type { ResourceSet } from './resource-set';

/** What the rules decided: which policy to apply to which resource, and how. */
export interface PlanIntent {
  policy: Policy;
  target: ResourceRefV1;
  mode: PlanMode;
  onFailure: OnFailure;
  rule: { name: string; version: number | string; hash: string };
  alarm: { id: string; source: string; type: string };
  /**
   * Policy knobs from the rule's event params. Understood here: `allowNoStandby` and `allowDowntime`
   * (host-drain), `disableHost` (migrate-off, default true), `keepSurvivable` (host-drain and
   * migrate-off: "host" | "rack" | "zone"), `message` and `severity` (notify),
   * `approvalReason` (any policy in mode manual: the reason the plan carries while it waits).
   */
  params?: Record<string, unknown>;
  /** The rule evaluation that led here (conditions and fact values), kept for the audit "why". */
  explanation?: unknown;
}

/** What the planner knows about plans already under way. */
export interface InFlight {
  /** Capacity promised to unfinished moves of live plans. */
  reservations: readonly Reservation[];
  /** Hosts that live host-drain or migrate-off plans are emptying: never placement targets. */
  drainingHosts?: readonly { hostId: string; planId: string }[];
}

export interface PlanningConfig {
  placement: PlacementConfig;
  /** The host label that names planning cells (`planning-cells.ts`); absent: one cell. */
  cellLabel?: string | null;
}

export type DraftState = 'pending' | 'pending_approval' | 'blocked';

export interface PlanExplanation {
  rule: PlanIntent['rule'];
  alarm: PlanIntent['alarm'];
  params: Record<string, unknown>;
  /** The rule engine's own account, passed through untouched. */
  decision: unknown;
  /** Every placement attempted, with the candidates considered and why each was turned down. */
  placements: PlacementResult[];
  /** What the plan could not do and why (also summed up in `reason`). */
  notes: string[];
  /** Safety checks the policy made (e.g. group redundancy before and after a drain). */
  checks: string[];
}

/** A plan as the planner made it: the engine stamps times, persists it and runs it. */
export interface PlanDraft {
  id: string;
  policy: Policy;
  mode: PlanMode;
  onFailure: OnFailure;
  target: ResourceRefV1;
  trigger: PlanTriggerV1;
  state: DraftState;
  reason: string | null;
  explanation: PlanExplanation;
  actions: ActionV1[];
  /** Every host, instance and group the plan acts on or moves onto (for `?resource=` searches). */
  touches: ResourceSet;
  /** What the plan owns while live: another decision on these goes through the conflict policy. */
  holds: ResourceSet;
  /** Capacity this plan's moves take on their destinations. */
  reservations: Reservation[];
}

/**
 * `set-host-status` params as the planner emits them: the status the host had before, so that a
 * rollback can restore it. The extra field is an additive extension of the wire params.
 */
export interface SetHostStatusStep extends SetHostStatusParams {
  previousStatus?: HostStatus;
}
