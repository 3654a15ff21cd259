import type { DriverErrorV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import { firstFailure, type HookRunner } from '../hooks/hook.runner';
import type { HookResult } from '../hooks/hook.types';
import { BackendError, toDriverError } from '../backends/backend.errors';
import {
  handleKey,
  type Backend,
  type BackendAction,
  type BackendHandle,
  type BackendPoll,
} from '../backends/backend.port';

export interface ExecutionListener {
  /** Every event for `driver.events`, in order; the final one is also the promise's value. */
  emit(event: DriverEventV1): void | Promise<void>;
  /** The handle once the backend accepted the action: persist it to resume after a restart. */
  started?(handle: BackendHandle): void | Promise<void>;
}

export interface ExecutorOptions {
  /** How often a running action is polled (the driver's DRIVER_PROGRESS_INTERVAL_MS). */
  pollIntervalMs?: number;
  /** After the deadline, how long to wait for the backend to confirm the abort. */
  abortGraceMs?: number;
  clock?: () => number;
}

interface Run {
  action: BackendAction;
  backend: Backend;
  listener: ExecutionListener;
  handle?: BackendHandle;
  abortRequested: boolean;
  promise?: Promise<DriverEventV1>;
}

type Detail = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Carries one action through its life (CONTRACT §6-7): `pre` hooks, start, progress, the deadline
 * (abort, then fail with `timeout`), the fail path and `fail` hooks, or `post` hooks on success.
 * Transport-free: the lead's Kafka consumer calls `execute`/`abort`/`forceComplete` per command and
 * publishes what the listener receives; after a restart it calls `resume` for unfinished actions.
 */
export class ActionExecutor {
  private readonly runs = new Map<string, Run>();
  private readonly pollIntervalMs: number;
  private readonly abortGraceMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly backendFor: (action: BackendAction) => Backend,
    private readonly hooks: HookRunner,
    options: ExecutorOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.abortGraceMs = options.abortGraceMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Runs the action; a redelivered command for a running (actionId, attempt) joins it. */
  execute(action: BackendAction, listener: ExecutionListener): Promise<DriverEventV1> {
    return this.track(action, listener, (run) => this.runFresh(run));
  }

  /**
   * After a driver restart: asks the backend what really happened and carries on from there. It
   * never starts again what took effect, and never restarts work in flight.
   */
  resume(action: BackendAction, listener: ExecutionListener): Promise<DriverEventV1> {
    return this.track(action, listener, async (run) => {
      const found = await run.backend.inspect(action);
      switch (found.state) {
        case 'not-started':
          return this.runFresh(run);
        case 'running':
          run.handle = found.handle;
          await listener.started?.(found.handle!);
          // An abort asked for while `inspect` ran had no handle to act on yet.
          if (run.abortRequested) await this.tryAbort(run);
          return this.watch(run);
        case 'succeeded':
          return this.succeed(run, { status: 'succeeded', progress: 100, detail: found.detail });
        case 'failed':
          return this.fail(run, 'failed', found.error ?? failed('the backend reports it failed'));
        case 'half-done':
          return this.fail(run, 'failed', {
            code: 'interrupted',
            message: 'the driver restarted with the action half-done; its fail path ran',
            retriable: true,
          });
      }
    });
  }

  /**
   * false when the action is not running in this process. Throws the backend's refusal (an
   * `unsupported` cold migration on Nova) so the API can answer 409; the action carries on.
   */
  async abort(actionId: string, attempt?: number): Promise<boolean> {
    const run = this.find(actionId, attempt);
    if (!run) return false;
    run.abortRequested = true;
    if (run.handle) await run.backend.abort(run.handle);
    return true;
  }

  /** Throws `unsupported` for anything but a live migration; false when not running here. */
  async forceComplete(actionId: string, attempt?: number): Promise<boolean> {
    const run = this.find(actionId, attempt);
    if (!run) return false;
    if (!run.handle) {
      throw new BackendError('invalid-state', `${actionId} has not started yet`, {
        retriable: true,
      });
    }
    await run.backend.forceComplete(run.handle);
    return true;
  }

  isRunning(actionId: string): boolean {
    return this.find(actionId) !== undefined;
  }

  private track(
    action: BackendAction,
    listener: ExecutionListener,
    body: (run: Run) => Promise<DriverEventV1>,
  ): Promise<DriverEventV1> {
    const key = handleKey(action);
    const existing = this.runs.get(key);
    if (existing?.promise) return existing.promise;
    const run: Run = { action, backend: this.backendFor(action), listener, abortRequested: false };
    this.runs.set(key, run);
    run.promise = body(run).finally(() => this.runs.delete(key));
    return run.promise;
  }

  private find(actionId: string, attempt?: number): Run | undefined {
    if (attempt !== undefined) return this.runs.get(handleKey({ actionId, attempt }));
    return [...this.runs.values()].find((r) => r.action.actionId === actionId);
  }

  private async runFresh(run: Run): Promise<DriverEventV1> {
    await this.emit(run, { status: 'accepted' });
    if (this.clock() >= Date.parse(run.action.deadline)) {
      return this.fail(run, 'failed', timeout(run.action), {}, false);
    }
    const preHooks = await this.hooks.run('pre', run.action);
    const refused = firstFailure(preHooks);
    if (refused) {
      const error = {
        code: 'pre-hook-failed',
        message: `pre hook ${refused.name} failed: ${refused.error ?? 'not ok'}`,
        retriable: false,
      };
      return this.fail(run, 'failed', error, { preHooks }, false);
    }
    const extra = preHooks.length > 0 ? { preHooks } : {};
    if (run.abortRequested) return this.fail(run, 'aborted', aborted(), extra, false);
    try {
      run.handle = await run.backend.start(run.action);
    } catch (error) {
      // The request may have reached the cloud before failing; the fail path is safe either way.
      return this.fail(run, 'failed', toDriverError(error), extra);
    }
    await run.listener.started?.(run.handle);
    if (run.abortRequested) await this.tryAbort(run);
    return this.watch(run, extra);
  }

  private async watch(run: Run, extra: Detail = {}): Promise<DriverEventV1> {
    const deadline = Date.parse(run.action.deadline);
    let lastProgress = -1;
    let timedOut = false;
    let lastError: DriverErrorV1 | undefined;
    for (;;) {
      const now = this.clock();
      if (!timedOut && now >= deadline) {
        timedOut = true;
        await this.tryAbort(run);
      }
      if (timedOut && now >= deadline + this.abortGraceMs) {
        return this.fail(run, 'failed', timeout(run.action), { ...extra, abortConfirmed: false });
      }
      let poll: BackendPoll;
      try {
        poll = await run.backend.poll(run.handle!);
      } catch (error) {
        lastError = toDriverError(error);
        if (!lastError.retriable) return this.fail(run, 'failed', lastError, extra);
        await sleep(this.pollIntervalMs);
        continue;
      }
      if (poll.status === 'succeeded') return this.succeed(run, poll, extra);
      if (timedOut && poll.status !== 'running') {
        return this.fail(run, 'failed', timeout(run.action), { ...extra, backend: poll.error });
      }
      if (poll.status === 'aborted')
        return this.fail(run, 'aborted', poll.error ?? aborted(), extra);
      if (poll.status === 'failed') {
        return this.fail(
          run,
          'failed',
          poll.error ?? failed('the backend reports it failed'),
          extra,
        );
      }
      if (poll.progress !== undefined && poll.progress !== lastProgress) {
        lastProgress = poll.progress;
        await this.emit(run, { status: 'progress', progress: poll.progress, detail: poll.detail });
      }
      const untilDeadline = timedOut ? this.pollIntervalMs : deadline - this.clock();
      await sleep(Math.min(this.pollIntervalMs, untilDeadline));
    }
  }

  private async succeed(run: Run, poll: BackendPoll, extra: Detail = {}): Promise<DriverEventV1> {
    const postHooks = await this.hooks.run('post', run.action, { status: 'succeeded' });
    const detail: Detail = { ...extra, ...(poll.detail ?? {}) };
    if (postHooks.length > 0) detail.postHooks = postHooks;
    return this.emit(run, { status: 'succeeded', progress: 100, detail });
  }

  private async fail(
    run: Run,
    status: 'failed' | 'aborted',
    error: DriverErrorV1,
    extra: Detail = {},
    runFailPath = true,
  ): Promise<DriverEventV1> {
    const detail: Detail = { ...extra };
    let steps: string[] = [];
    if (runFailPath) {
      try {
        steps = (await run.backend.failPath(run.action)).steps;
      } catch (e) {
        detail.failPathError = toDriverError(e);
      }
      detail.failPath = steps;
    }
    const failHooks: HookResult[] = await this.hooks.run('fail', run.action, {
      status,
      error,
      failPath: steps,
    });
    if (failHooks.length > 0) detail.failHooks = failHooks;
    return this.emit(run, { status, error, detail });
  }

  private async tryAbort(run: Run): Promise<void> {
    try {
      await run.backend.abort(run.handle!);
    } catch {
      // Unsupported or failed: the deadline path still fails the action and runs the fail path.
    }
  }

  private async emit(
    run: Run,
    event: Omit<DriverEventV1, 'actionId' | 'attempt' | 'at'>,
  ): Promise<DriverEventV1> {
    const full: DriverEventV1 = {
      actionId: run.action.actionId,
      attempt: run.action.attempt,
      ...event,
      at: new Date(this.clock()).toISOString(),
    };
    await run.listener.emit(full);
    return full;
  }
}

const timeout = (a: BackendAction): DriverErrorV1 => ({
  code: 'timeout',
  message: `deadline ${a.deadline} passed; the action was aborted`,
  // The deadline is the engine's budget for this action; another attempt is its decision.
  retriable: false,
});
const aborted = (): DriverErrorV1 => ({
  code: 'aborted',
  message: 'aborted on request',
  retriable: false,
});
const failed = (message: string): DriverErrorV1 => ({
  code: 'operation-failed',
  message,
  retriable: false,
});
