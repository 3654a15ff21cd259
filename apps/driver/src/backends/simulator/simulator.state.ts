/**
 * The simulated cloud's whole state: plain JSON, so a store can persist it as one document and a
 * restarted driver finds migrations exactly where they were (they kept running in "the cloud").
 */
import type { DriverErrorV1 } from '@reflex/contracts/driver.v1';
import type {
  CapacityV1,
  DriverBackend,
  GroupV1,
  HostStatus,
  InstanceRole,
  InstanceState,
  InstanceV1,
} from '@reflex/contracts/inventory.v1';
import type { ActionParams, ActionType } from '@reflex/contracts/plan.v1';

export interface SimHost {
  id: string;
  zone: string;
  status: HostStatus;
  power: 'on' | 'off';
  hypervisor: string;
  driver: DriverBackend;
  capacity: CapacityV1;
  labels: Record<string, string>;
}

export type SimOperationStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

export interface SimOperation {
  /** `${actionId}#${attempt}`: the idempotency key. */
  key: string;
  actionId: string;
  attempt: number;
  type: ActionType;
  params: ActionParams;
  deadline: string;
  status: SimOperationStatus;
  /** Epoch ms of the model's clock. */
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /**
   * `transfer`: memory copied at bandwidth while the guest re-dirties pages (migrations);
   * `timed`: done after `durationMs` (switch-over, recover, host status, fence, notify).
   */
  kind: 'transfer' | 'timed';
  totalMb: number;
  remainingMb: number;
  /** Everything sent so far, re-sent dirty pages included; grows even when not converging. */
  processedMb: number;
  durationMs: number;
  effect: 'none' | 'hang' | 'slow';
  /** From a `fail` fault: the operation fails once half the memory has been sent. */
  failsHalfway: boolean;
  forced: boolean;
  /** Resources held on the destination from start until cut-over or the fail path. */
  claim: { hostId: string; vcpus: number; memoryMb: number } | null;
  /** The instance's state before the operation, to restore on failure. */
  instanceStateBefore: InstanceState | null;
  /** switch-over: roles before, so the fail path can leave them as they were. */
  rolesBefore: Record<string, InstanceRole | null> | null;
  error: DriverErrorV1 | null;
}

export type SimFaultEffect = 'fail' | 'hang' | 'slow';

/** CONTRACT §7 `POST /v1/sim/faults` body. */
export interface SimFault {
  action: ActionType;
  instanceId?: string;
  hostId?: string;
  effect: SimFaultEffect;
  /** Matching `start` calls left; the fault is removed at zero. */
  count: number;
}

export type SimCallMethod = 'start' | 'abort' | 'forceComplete' | 'failPath';

/** One backend call, for `GET /v1/sim/calls` and checks that nothing ran twice. */
export interface SimCall {
  seq: number;
  method: SimCallMethod;
  actionId: string;
  attempt: number;
  type: ActionType;
  params: ActionParams;
  /** ISO-8601. */
  at: string;
  /** `started`: acted on the cloud; `existing`: a repeated start; `rejected`: refused. */
  outcome: 'started' | 'existing' | 'rejected' | 'done' | 'no-op';
  error?: DriverErrorV1;
}

export interface SimSettings {
  /** Migration bandwidth, MB/s. */
  bandwidthMbps: number;
  /** Rate at which a live guest re-dirties memory, MB/s; >= bandwidth never converges. */
  dirtyRateMbps: number;
  /** Per-instance override of `dirtyRateMbps`. */
  dirtyRateByInstance: Record<string, number>;
  /** How long actions without a transfer take. */
  timedOperationMs: number;
}

export interface SimState {
  version: 1;
  hosts: Record<string, SimHost>;
  instances: Record<string, InstanceV1>;
  groups: Record<string, GroupV1>;
  operations: Record<string, SimOperation>;
  faults: SimFault[];
  calls: SimCall[];
  callSeq: number;
  settings: SimSettings;
}

/** The call log keeps the newest entries only, so a long-running demo does not grow without end. */
export const MAX_CALLS = 10_000;

export const DEFAULT_SIM_SETTINGS: SimSettings = {
  bandwidthMbps: 1000,
  dirtyRateMbps: 0,
  dirtyRateByInstance: {},
  timedOperationMs: 0,
};

export function emptySimState(settings: Partial<SimSettings> = {}): SimState {
  return {
    version: 1,
    hosts: {},
    instances: {},
    groups: {},
    operations: {},
    faults: [],
    calls: [],
    callSeq: 0,
    settings: { ...DEFAULT_SIM_SETTINGS, ...settings },
  };
}
