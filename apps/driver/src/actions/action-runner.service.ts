import { Inject, Injectable, Logger } from '@nestjs/common';
import { Backoff, TransientError } from '@reflex/common';
import { DRIVER_CONFIG, type DriverConfig } from '@reflex/config';
import type { DriverErrorV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import { ActionExecutor, type ExecutionListener } from './action.executor';
import { toDriverError } from '../backends/backend.errors';
import type { Backend, BackendHandle } from '../backends/backend.port';
import { BackendRegistry } from '../backends/backend.registry';
import { DriverEventsPublisher } from '../events/driver-events.publisher';
import { DriverMetrics } from '../events/driver.metrics';
import { HookRunner } from '../hooks/hook.runner';
import { DRIVER_SETTINGS, type DriverSettings } from '../settings/driver-settings';
import { DetachGate } from './detach-gate';
import {
  actionOf,
  isFinal,
  keyOf,
  type ActionKey,
  type DriverActionRecord,
} from '../action-store/driver-action.record';
import type { LeaseRenewal } from '../action-store/driver-action.repository';
import { DriverActionRepository } from '../action-store/driver-action.repository';

interface LocalRun {
  key: string;
  record: DriverActionRecord;
  gate: DetachGate;
  executor: ActionExecutor;
  /** Local clock when this replica took the action; leases renewed before it do not cover it. */
  since: number;
  /** The executor holds the backend's handle and it is recorded (force-complete needs one). */
  started: boolean;
  /** Its final event is being recorded: the row is about to leave this replica's leases. */
  finishing: boolean;
  abortSent: boolean;
  forcePending: boolean;
  forceSent: boolean;
}

const RECORD_FINAL_TRIES = 5;
const RECORD_FINAL_BACKOFF = { initialMs: 400, maxMs: 6_400 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Carries out the actions this replica holds in `driver_actions`: one `ActionExecutor` run per
 * (action, attempt), fresh or resumed after a restart. Through the executor's listener it
 * records the handle (so a restart can resume watching), publishes accepted/progress events, and
 * records then publishes the one final event. A run whose lease another replica took is
 * detached, never ended: the cloud operation goes on and its new owner reports it.
 */
@Injectable()
export class ActionRunner {
  private readonly logger = new Logger('action-runner');
  private readonly runs = new Map<string, LocalRun>();
  private readonly gate = new DetachGate();
  /** Command handling under way (see `admit`). */
  private readonly admitted = new Set<Promise<unknown>>();

  constructor(
    @Inject(DRIVER_CONFIG) private readonly config: DriverConfig,
    @Inject(DRIVER_SETTINGS) private readonly settings: DriverSettings,
    private readonly registry: BackendRegistry,
    private readonly hooks: HookRunner,
    private readonly actions: DriverActionRepository,
    private readonly publisher: DriverEventsPublisher,
    private readonly metrics: DriverMetrics,
  ) {}

  get owner(): string {
    return this.settings.replicaId;
  }

  get stopping(): boolean {
    return this.gate.isDetached;
  }

  /**
   * Runs work that may take leases (a command's claim or take-over). Refused once stopping; and
   * `admittedSettled` lets a graceful stop release this replica's leases only after every claim
   * admitted before it has committed: a claim that committed after the release would hold its
   * action, unstarted, until its lease ran out.
   */
  async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.stopping) throw new TransientError('driver stopping');
    const running = work();
    this.admitted.add(running);
    try {
      return await running;
    } finally {
      this.admitted.delete(running);
    }
  }

  async admittedSettled(): Promise<void> {
    await Promise.allSettled([...this.admitted]);
  }

  isLocal(key: ActionKey): boolean {
    return this.runs.has(keyOf(key));
  }

  localKeys(): string[] {
    return [...this.runs.keys()];
  }

  /**
   * Runs a record this replica has just claimed (`execute`) or taken over (`resume`: ask the
   * backend what happened first). A second call for an action already running here is a no-op.
   */
  run(record: DriverActionRecord, mode: 'execute' | 'resume'): void {
    const key = keyOf(record);
    if (this.runs.has(key) || this.stopping) return;
    let backend: Backend;
    try {
      if (record.backend === 'none') throw new Error(`${key} was answered without a backend`);
      backend = this.registry.get(record.backend);
    } catch (error) {
      void this.settleUnrunnable(record, toDriverError(error));
      return;
    }
    const gate = this.gate.child();
    const executor = new ActionExecutor(() => gate.backend(backend), gate.hooks(this.hooks), {
      pollIntervalMs: this.config.progressIntervalMs,
      abortGraceMs: this.settings.abortGraceMs,
    });
    const run: LocalRun = {
      key,
      record,
      gate,
      executor,
      since: Date.now(),
      // Also for a resumed run: the executor has a handle only once `inspect` found it running.
      started: false,
      finishing: false,
      abortSent: false,
      forcePending: false,
      forceSent: false,
    };
    this.runs.set(key, run);
    this.metrics.running.inc({ backend: record.backend });
    if (mode === 'resume') this.metrics.takeovers.inc();
    const listener: ExecutionListener = {
      emit: (event) => gate.pass(() => this.onEvent(run, event)),
      started: (handle) => gate.pass(() => this.onStarted(run, handle)),
    };
    const action = actionOf(record);
    const done =
      mode === 'execute' ? executor.execute(action, listener) : executor.resume(action, listener);
    done.catch((error: unknown) => {
      // Unfinished and still ours in the table: the lease sweep resumes it from the backend.
      this.logger.error({ msg: `run failed: ${String(error)}`, ...ids(record) });
      this.forget(run);
    });
    if (record.abortRequested) void this.forwardAbort(run);
    if (record.forceCompleteRequested) void this.forwardForceComplete(run);
  }

  /** An operator's abort for an action running here; false when it is not. */
  abort(key: ActionKey): boolean {
    const run = this.runs.get(keyOf(key));
    if (!run) return false;
    void this.forwardAbort(run);
    return true;
  }

  forceComplete(key: ActionKey): boolean {
    const run = this.runs.get(keyOf(key));
    if (!run) return false;
    void this.forwardForceComplete(run);
    return true;
  }

  /**
   * Applies a heartbeat's answer: requests noted by other replicas reach the run here, and a run
   * the heartbeat no longer covers was taken over elsewhere, so it is detached.
   */
  applyRenewal(renewed: LeaseRenewal[], renewedSince: number): void {
    const held = new Map(renewed.map((r) => [keyOf(r), r]));
    for (const run of [...this.runs.values()]) {
      const lease = held.get(run.key);
      if (lease) {
        if (lease.abortRequested) void this.forwardAbort(run);
        if (lease.forceCompleteRequested) void this.forwardForceComplete(run);
      } else if (!run.finishing && run.since < renewedSince) {
        this.logger.warn({ msg: 'lease lost; another replica watches it now', ...ids(run) });
        this.detach(run);
      }
    }
  }

  /** Stops watching everything (the heartbeat failed for a whole lease: others may take over). */
  detachAll(reason: string): void {
    for (const run of [...this.runs.values()]) {
      this.logger.warn({ msg: `detached: ${reason}`, ...ids(run) });
      this.detach(run);
    }
  }

  /** Graceful shutdown: leaves every action running in the cloud and unfinished in the table. */
  stop(): void {
    this.gate.detach();
    for (const run of [...this.runs.values()]) this.forget(run);
  }

  private detach(run: LocalRun): void {
    run.gate.detach();
    this.forget(run);
  }

  private forget(run: LocalRun): void {
    if (this.runs.get(run.key) !== run) return;
    this.runs.delete(run.key);
    this.metrics.running.dec({ backend: run.record.backend });
  }

  private async onStarted(run: LocalRun, handle: BackendHandle): Promise<void> {
    if (!(await this.actions.recordHandle(run.record, this.owner, handle))) {
      this.logger.warn({ msg: 'lost the action before recording its handle', ...ids(run) });
      this.detach(run);
      return;
    }
    run.started = true;
    if (run.forcePending) void this.forwardForceComplete(run);
  }

  private async onEvent(run: LocalRun, event: DriverEventV1): Promise<void> {
    if (!isFinal(event)) return this.publisher.publishTransient(event);
    run.finishing = true;
    try {
      if (await this.recordFinal(run, event)) {
        await this.publisher.publishRecorded({ ...run.record, finalEvent: event });
      } else {
        this.logger.warn({ msg: 'another replica reports this action', ...ids(run) });
      }
    } finally {
      this.forget(run);
    }
  }

  private async recordFinal(run: LocalRun, event: DriverEventV1): Promise<boolean> {
    const backoff = new Backoff(RECORD_FINAL_BACKOFF);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.actions.recordFinal(run.record, this.owner, event);
      } catch (error) {
        // Every error is tried again, not only those marked retriable: a final event lost here is
        // an action reported never, which costs more than a few pointless attempts.
        if (attempt >= RECORD_FINAL_TRIES) throw error;
        this.logger.warn({ msg: `recording the final event: ${String(error)}`, ...ids(run) });
        await sleep(backoff.next());
      }
    }
  }

  private async forwardAbort(run: LocalRun): Promise<void> {
    if (run.abortSent) return;
    run.abortSent = true;
    try {
      await run.executor.abort(run.record.actionId, run.record.attempt);
    } catch (error) {
      // Refused by the backend (Nova cannot cancel a cold migration): the action carries on.
      this.logger.warn({ msg: `abort refused: ${(error as Error).message}`, ...ids(run) });
    }
  }

  private async forwardForceComplete(run: LocalRun): Promise<void> {
    if (run.forceSent) return;
    if (!run.started) {
      run.forcePending = true;
      return;
    }
    run.forceSent = true;
    try {
      await run.executor.forceComplete(run.record.actionId, run.record.attempt);
    } catch (error) {
      this.logger.warn({
        msg: `force-complete refused: ${(error as Error).message}`,
        ...ids(run),
      });
    }
  }

  /** A record whose backend is not configured (any more): reported failed without running. */
  private async settleUnrunnable(record: DriverActionRecord, error: DriverErrorV1): Promise<void> {
    const event: DriverEventV1 = {
      actionId: record.actionId,
      attempt: record.attempt,
      status: 'failed',
      error: { ...error, retriable: false },
      at: new Date().toISOString(),
    };
    try {
      if (await this.actions.recordFinal(record, this.owner, event)) {
        await this.publisher.publishRecorded({ ...record, finalEvent: event });
      }
    } catch (e) {
      this.logger.error({ msg: `could not report an unrunnable action: ${String(e)}` });
    }
  }
}

function ids(k: ActionKey | LocalRun): { actionId: string; attempt: number } {
  const key = 'record' in k ? k.record : k;
  return { actionId: key.actionId, attempt: key.attempt };
}
