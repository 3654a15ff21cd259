import type { DriverErrorV1 } from '@reflex/contracts/driver.v1';
import type { BackendAction } from '../backends/backend.port';
import type { HookPhase } from './hooks.config';

/** What a hook receives as JSON: on stdin (executables) or as the POST body (webhooks). */
export interface HookPayload {
  phase: HookPhase;
  action: BackendAction;
  /** For `post` and `fail`: how the action ended and what its fail path undid. */
  outcome?: {
    status: 'succeeded' | 'failed' | 'aborted';
    error?: DriverErrorV1;
    failPath?: string[];
  };
}

export interface HookResult {
  name: string;
  phase: HookPhase;
  kind: 'exec' | 'webhook';
  ok: boolean;
  durationMs: number;
  /** exec: the exit code (null when killed by a signal). */
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  stdout?: string;
  stderr?: string;
  /** webhook: the last response's status and body. */
  status?: number;
  body?: string;
  attempts?: number;
  /** Output or body was longer than `maxOutputBytes` and was cut. */
  truncated?: boolean;
  /** Why it failed, for the action's timeline. */
  error?: string;
}
