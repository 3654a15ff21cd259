import { ReflexError } from '@reflex/common';
import type { DriverErrorV1 } from '@reflex/contracts/driver.v1';

/**
 * Error codes a backend reports in `DriverEventV1.error.code`. Lower-case kebab, because the
 * contract names the deadline failure `timeout`; the engine decides retry from `retriable` only.
 */
export const BACKEND_ERROR_CODES = [
  /** The instance, host, group or domain does not exist in the cloud. */
  'not-found',
  /** The object's state forbids the call (instance not on the source, to-instance not running). */
  'invalid-state',
  /** The destination lacks capacity for the instance. */
  'destination-full',
  /** The destination is down, powered off, disabled or in maintenance. */
  'destination-unavailable',
  /** The host an action needs (source, or the instance's own host) is down. */
  'host-unavailable',
  /** Another operation holds the instance; may clear on its own. */
  'instance-busy',
  /** The backend cannot do this action (evacuate on libvirt, force-complete on cold-migrate). */
  'unsupported',
  /** The cloud refused the request as sent (Nova 400). */
  'rejected',
  /** The operation started and then failed in the cloud. */
  'operation-failed',
  /** Injected by the simulator's fault API. */
  'simulated-failure',
  /** The cloud's API or hypervisor connection is unavailable for now (503, connection refused). */
  'backend-unavailable',
  /** The deadline passed; the driver aborted the action. */
  'timeout',
  /** An operator aborted the action. */
  'aborted',
  /** A `pre` hook failed, so the backend was never touched. */
  'pre-hook-failed',
  /** The driver restarted while the action was half-done; the fail path undid it. */
  'interrupted',
  /** Anything the backend could not classify. */
  'backend-error',
] as const;
export type BackendErrorCode = (typeof BACKEND_ERROR_CODES)[number];

export class BackendError extends ReflexError {
  declare readonly code: BackendErrorCode;

  constructor(
    code: BackendErrorCode,
    message: string,
    options: { retriable: boolean; cause?: unknown; details?: unknown },
  ) {
    super(code, message, options);
  }
}

export function unsupported(backend: string, what: string): BackendError {
  return new BackendError('unsupported', `${backend} backend cannot ${what}`, { retriable: false });
}

/** The wire form of any error; unclassified errors count as retriable (see `isRetriable`). */
export function toDriverError(error: unknown): DriverErrorV1 {
  if (error instanceof ReflexError) {
    return { code: error.code, message: error.message, retriable: error.retriable };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'backend-error', message, retriable: true };
}
