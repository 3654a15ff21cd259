/** Plans and actions (CONTRACT.md §6). */
import type { ResourceKind } from './alarm.v1';
import type { HostStatus } from './inventory.v1';

export const PLAN_STATES = [
  'pending_approval',
  'pending',
  'running',
  'succeeded',
  'failed',
  'rolling_back',
  'rolled_back',
  'cancelled',
  'superseded',
  'blocked',
] as const;
export type PlanState = (typeof PLAN_STATES)[number];
export const FINAL_PLAN_STATES: readonly PlanState[] = [
  'succeeded',
  'failed',
  'rolled_back',
  'cancelled',
  'superseded',
  'blocked',
];

export const ACTION_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'aborted',
  'skipped',
  'compensated',
] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export const POLICIES = [
  'switch-over',
  'host-failover',
  'host-drain',
  'host-restore',
  'restore-redundancy',
  'migrate-off',
  'notify',
] as const;
export type Policy = (typeof POLICIES)[number];

export const PLAN_MODES = ['auto', 'manual'] as const;
export type PlanMode = (typeof PLAN_MODES)[number];

export const ON_FAILURE = ['rollback', 'stop', 'continue'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

export const ACTION_TYPES = [
  'live-migrate',
  'cold-migrate',
  'evacuate',
  'switch-over',
  'recover-instance',
  'set-host-status',
  'fence-host',
  'notify',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface MigrateParams {
  instanceId: string;
  fromHostId: string;
  toHostId: string;
}
export interface SwitchOverParams {
  groupId: string;
  fromInstanceId: string;
  toInstanceId: string;
}
export interface RecoverInstanceParams {
  instanceId: string;
}
export interface SetHostStatusParams {
  hostId: string;
  status: HostStatus;
}
export interface FenceHostParams {
  hostId: string;
}
export interface NotifyParams {
  message: string;
  severity: string;
}

export interface ActionParamsByType {
  'live-migrate': MigrateParams;
  'cold-migrate': MigrateParams;
  evacuate: MigrateParams;
  'switch-over': SwitchOverParams;
  'recover-instance': RecoverInstanceParams;
  'set-host-status': SetHostStatusParams;
  'fence-host': FenceHostParams;
  notify: NotifyParams;
}
export type ActionParams = ActionParamsByType[ActionType];

export interface ActionV1<T extends ActionType = ActionType> {
  id: string;
  planId: string;
  seq: number;
  type: T;
  params: ActionParamsByType[T];
  dependsOn: string[];
  state: ActionState;
  attempts: number;
  progress: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  compensationFor: string | null;
  /**
   * Moves only, an extension of CONTRACT §6 (§9 re-placement): the destinations this move found
   * unusable, oldest first. The move was placed again away from each, at most 3 times.
   */
  unusableHostIds?: string[];
}

export interface PlanTriggerV1 {
  alarmId: string;
  source: string;
  rule: string;
  ruleVersion: number | string;
}

export interface PlanV1 {
  id: string;
  state: PlanState;
  policy: Policy;
  mode: PlanMode;
  target: { kind: ResourceKind; id: string };
  trigger: PlanTriggerV1;
  reason: string | null;
  explanation: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  supersededBy: string | null;
  actions: ActionV1[];
}

/** Plan lifecycle event v1: the value on the `plans` topic, keyed by plan id. */
export interface PlanEventV1 {
  /** Unique per event, so notifiers can de-duplicate at-least-once delivery. */
  eventId: string;
  planId: string;
  state: PlanState;
  previousState: PlanState | null;
  policy: Policy;
  mode: PlanMode;
  target: { kind: ResourceKind; id: string };
  trigger: PlanTriggerV1;
  reason: string | null;
  at: string;
  detail?: Record<string, unknown>;
}
