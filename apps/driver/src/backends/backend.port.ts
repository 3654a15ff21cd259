/**
 * The port every cloud backend implements (CONTRACT.md §6-7). The driver's executor drives it:
 * `start` once, `poll` until a final status, `abort`/`forceComplete` on operator commands, then
 * `failPath` when the action failed or was aborted. After a driver restart the executor calls
 * `inspect` to learn what really happened instead of starting again, so nothing runs twice.
 */
import type { DriverErrorV1 } from '@reflex/contracts/driver.v1';
import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import type { ActionParamsByType, ActionType } from '@reflex/contracts/plan.v1';

/** One action as a backend sees it; `type` narrows `params`. */
export type BackendActionOf<T extends ActionType> = {
  actionId: string;
  attempt: number;
  type: T;
  params: ActionParamsByType[T];
  /** ISO-8601. The executor, not the backend, enforces it (abort, then fail with `timeout`). */
  deadline: string;
};
export type BackendAction = { [T in ActionType]: BackendActionOf<T> }[ActionType];

/** JSON values only: the lead persists handles so a restarted driver can resume watching. */
export type HandleRefValue = string | number | boolean | null;

export interface BackendHandle {
  backend: DriverBackend;
  actionId: string;
  attempt: number;
  type: ActionType;
  /** Backend-specific: domain and URIs (libvirt), server and migration id (openstack), op key. */
  ref: Record<string, HandleRefValue>;
}

export type BackendStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

export interface BackendPoll {
  status: BackendStatus;
  /** 0-100; absent when the backend cannot tell. */
  progress?: number;
  detail?: Record<string, unknown>;
  /** Set when `status` is `failed` (and for `aborted`, why). */
  error?: DriverErrorV1;
}

/**
 * What really happened to an action, from the cloud's point of view:
 * - `not-started`: no effect at all; starting it now is safe.
 * - `running`: in flight; keep polling `handle`.
 * - `succeeded`: it took effect; never start it again.
 * - `failed`: it ran and failed; nothing of it is left behind (the fail path is still safe to run).
 * - `half-done`: it stopped part-way and left effects behind; run the fail path.
 */
export type InspectState = 'not-started' | 'running' | 'succeeded' | 'failed' | 'half-done';

export interface InspectResult {
  state: InspectState;
  /** Present when `state` is `running`. */
  handle?: BackendHandle;
  detail?: Record<string, unknown>;
  error?: DriverErrorV1;
}

export interface FailPathResult {
  /** What was undone, in order, for the action's timeline ("destroyed vm-01 on cmp-02"). */
  steps: string[];
}

export interface Backend {
  readonly kind: DriverBackend;
  /**
   * Begins the action and returns at once. Idempotent per (actionId, attempt) where the backend
   * allows it: a second call for the same key returns the same operation and never acts twice.
   * Throws a `BackendError` when the cloud refuses (destination full: not retriable; API 503:
   * retriable).
   */
  start(action: BackendAction): Promise<BackendHandle>;
  poll(handle: BackendHandle): Promise<BackendPoll>;
  /** Asks the backend to stop; the next polls report `aborted` (or `succeeded` if it won the race). */
  abort(handle: BackendHandle): Promise<void>;
  /** Live migration only: finish now (pause/post-copy). Other types throw `unsupported`. */
  forceComplete(handle: BackendHandle): Promise<void>;
  /** Read-only: what the cloud says about this action, for reconciliation after a restart. */
  inspect(action: BackendAction): Promise<InspectResult>;
  /** Undoes partial effects per CONTRACT §6; idempotent, safe to run when nothing happened. */
  failPath(action: BackendAction): Promise<FailPathResult>;
  /** Releases processes and sockets; in-flight cloud operations carry on without the driver. */
  close?(): Promise<void>;
}

export function handleKey(h: { actionId: string; attempt: number }): string {
  return `${h.actionId}#${h.attempt}`;
}
