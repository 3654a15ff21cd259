/**
 * Reading an action's outcome from Nova's view of the server. Nova lists only in-progress live
 * migrations, so once one ends the server itself (host, status, task_state) tells how it went.
 */
import type { ActionType } from '@reflex/contracts/plan.v1';
import type { BackendAction, InspectState } from '../backend.port';
import type { NovaMigration, NovaServer } from './nova-resources';

export interface ServerView {
  status: string;
  host: string | null;
  task: string | null;
  fault: string | null;
}

export function viewOf(server: NovaServer): ServerView {
  return {
    status: server.status,
    host: server['OS-EXT-SRV-ATTR:host'] ?? null,
    task: server['OS-EXT-STS:task_state'] ?? null,
    fault: server.fault?.message ?? null,
  };
}

/** 0-99 from memory and disk bytes; undefined before Nova has numbers. */
export function migrationProgress(m: NovaMigration): number | undefined {
  const total = (m.memory_total_bytes ?? 0) + (m.disk_total_bytes ?? 0);
  if (!total) return undefined;
  const remaining = (m.memory_remaining_bytes ?? 0) + (m.disk_remaining_bytes ?? 0);
  return Math.max(0, Math.min(99, Math.floor((1 - remaining / total) * 100)));
}

/** Rough progress of a cold migration from its task_state, which is all Nova shows of it. */
const RESIZE_PROGRESS: Record<string, number> = {
  resize_prep: 10,
  resize_migrating: 30,
  resize_migrated: 60,
  resize_finish: 80,
};

export type Outcome =
  | { status: 'running'; progress?: number }
  | { status: 'succeeded' }
  | { status: 'failed'; message: string }
  /** Cold migration waiting for `confirmResize`. */
  | { status: 'verify' }
  /** Settled where it started: the action never took effect, or Nova rolled it back. */
  | { status: 'at-source' };

/** Where a server-level action stands, for every type that moves or restarts a server. */
export function outcomeOf(type: ActionType, s: ServerView, src: string, dst: string): Outcome {
  if (s.status === 'VERIFY_RESIZE') return { status: 'verify' };
  if (s.task !== null) return { status: 'running', progress: RESIZE_PROGRESS[s.task] };
  if (s.status === 'ERROR') {
    return { status: 'failed', message: s.fault ?? `server is in ERROR on ${s.host}` };
  }
  if (type === 'recover-instance') {
    return s.status === 'ACTIVE'
      ? { status: 'succeeded' }
      : { status: 'failed', message: `server is ${s.status} after restart` };
  }
  if (['MIGRATING', 'RESIZE', 'REBUILD', 'REVERT_RESIZE'].includes(s.status)) {
    return { status: 'running' };
  }
  if (s.host === dst) return { status: 'succeeded' };
  if (s.host === src) return { status: 'at-source' };
  return { status: 'failed', message: `server is on ${s.host}, neither ${src} nor ${dst}` };
}

/** What reconciliation reports for a migration-type action from the server's state. */
export function inspectStateOf(o: Outcome): InspectState {
  switch (o.status) {
    case 'running':
    case 'verify':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    // Nova rolls back a failed live or cold migration itself: starting again is safe.
    case 'at-source':
      return 'not-started';
    case 'failed':
      return 'half-done';
  }
}

/** The os-services update (microversion 2.53) that gives a host the status Reflex asks for. */
export function serviceUpdate(action: Extract<BackendAction, { type: 'set-host-status' }>) {
  const { status } = action.params;
  if (status === 'down') return { forced_down: true };
  // `up` also lifts a fence: forced_down false hands the state back to Nova's heartbeats.
  if (status === 'up') return { status: 'enabled', forced_down: false };
  return { status: 'disabled', disabled_reason: `reflex: ${status} (action ${action.actionId})` };
}
