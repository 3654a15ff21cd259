import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ExecHookSpec } from './hooks.config';
import type { HookPayload, HookResult } from './hook.types';

/**
 * Hooks get a minimal environment, not the driver's: that holds DATABASE_URL and backend
 * passwords. Whatever else a hook needs goes in its `env` in the hooks file.
 */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];
function baseEnvironment(): Record<string, string> {
  return Object.fromEntries(
    PASSED_THROUGH.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]),
  );
}

/** After SIGTERM, how long a hook gets to exit before SIGKILL. */
const KILL_GRACE_MS = 2000;

class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  attach(stream: Readable | null): void {
    stream?.on('data', (chunk: Buffer) => {
      const room = this.limit - this.size;
      if (chunk.length > room) this.truncated = true;
      if (room <= 0) return;
      const kept = chunk.subarray(0, room);
      this.chunks.push(kept);
      this.size += kept.length;
    });
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Runs an executable hook: the payload as JSON on stdin, a timeout, exit code 0 means success.
 * No shell is involved; `command` and `args` come from the operator's file, and the action only
 * reaches the hook as data (stdin and REFLEX_* variables).
 */
export function runExecHook(spec: ExecHookSpec, payload: HookPayload): Promise<HookResult> {
  const started = Date.now();
  const base = { name: spec.name, phase: payload.phase, kind: 'exec' as const };
  return new Promise((resolvePromise) => {
    const stdout = new Capture(spec.maxOutputBytes);
    const stderr = new Capture(spec.maxOutputBytes);
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: Omit<HookResult, 'name' | 'phase' | 'kind' | 'durationMs'>) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      const truncated = stdout.truncated || stderr.truncated;
      resolvePromise({
        ...base,
        durationMs: Date.now() - started,
        stdout: stdout.text(),
        stderr: stderr.text(),
        ...(truncated ? { truncated } : {}),
        ...result,
      });
    };

    // Its own process group, so a timeout kills the scripts it started too (a `sleep` left
    // behind would hold stdout open and the hook would never finish).
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...baseEnvironment(),
        ...spec.env,
        REFLEX_HOOK_PHASE: payload.phase,
        REFLEX_ACTION_ID: payload.action.actionId,
        REFLEX_ACTION_TYPE: payload.action.type,
        REFLEX_ACTION_ATTEMPT: String(payload.action.attempt),
      },
    });
    stdout.attach(child.stdout);
    stderr.attach(child.stderr);
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    };

    child.on('error', (error) => finish({ ok: false, exitCode: null, error: error.message }));
    child.on('close', (code, signal) => {
      const ok = !timedOut && code === 0;
      const why = timedOut
        ? `timed out after ${spec.timeoutMs} ms`
        : code !== 0
          ? `exited with ${code ?? signal}`
          : undefined;
      finish({
        ok,
        exitCode: code,
        signal,
        ...(timedOut ? { timedOut } : {}),
        ...(why ? { error: why } : {}),
      });
    });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        timers.push(
          setTimeout(() => {
            killGroup('SIGKILL');
            // A grandchild in another group may still hold the pipes; do not wait for it.
            timers.push(
              setTimeout(() => {
                child.stdout?.destroy();
                child.stderr?.destroy();
                finish({
                  ok: false,
                  exitCode: null,
                  timedOut,
                  error: `timed out after ${spec.timeoutMs} ms`,
                });
              }, 500),
            );
          }, KILL_GRACE_MS),
        );
      }, spec.timeoutMs),
    );
    // A hook that ignores stdin closes it early; that is its business, not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(JSON.stringify(payload));
  });
}
