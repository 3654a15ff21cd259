/** Driver command and event v1 (CONTRACT.md §7). */
import type { ActionParams, ActionType } from './plan.v1';

export const DRIVER_COMMAND_KINDS = ['execute', 'abort', 'force-complete'] as const;
export type DriverCommandKind = (typeof DRIVER_COMMAND_KINDS)[number];

/** Value on `driver.commands`, keyed by action id. */
export interface DriverCommandV1 {
  kind: DriverCommandKind;
  actionId: string;
  planId: string;
  /** Counts from 1; a retry of the same action is a new attempt. */
  attempt: number;
  type: ActionType;
  params: ActionParams;
  /** ISO-8601: the driver aborts the action at this time and fails it with reason `timeout`. */
  deadline: string;
}

export const DRIVER_EVENT_STATUSES = [
  'accepted',
  'progress',
  'succeeded',
  'failed',
  'aborted',
] as const;
export type DriverEventStatus = (typeof DRIVER_EVENT_STATUSES)[number];

/**
 * The error code with which a driver fails a move whose destination cannot take the instance (down,
 * powered off, unreachable, unknown, disabled): the engine places such a move again on another host
 * (CONTRACT §9) instead of retrying it where it was.
 */
export const DESTINATION_UNAVAILABLE = 'destination-unavailable';

export interface DriverErrorV1 {
  code: string;
  message: string;
  retriable: boolean;
}

/** Value on `driver.events`, keyed by action id. */
export interface DriverEventV1 {
  actionId: string;
  /** The attempt of the command this event reports on. */
  attempt: number;
  status: DriverEventStatus;
  /** 0-100. */
  progress?: number;
  detail?: Record<string, unknown> | string;
  error?: DriverErrorV1 | string;
  /** ISO-8601. */
  at: string;
}
