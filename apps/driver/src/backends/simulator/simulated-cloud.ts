/**
 * A modelled cloud (CONTRACT §7 `simulator`). Pure: it mutates the `SimState` it is given and reads
 * time only from its arguments, so it runs in tests without clocks, stores or sleeps.
 *
 * Migrations copy memory at `bandwidthMbps` while a live guest re-dirties it at its dirty rate:
 * `remaining` starts at the instance's memory and falls by (bandwidth - dirty) per second, so a
 * guest that dirties memory as fast as the link carries it never converges and only force-complete
 * (pause and copy the rest) finishes it.
 */
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { MigrateParams } from '@reflex/contracts/plan.v1';
import { BackendError } from '../backend.errors';
import { handleKey, type BackendAction, type InspectState } from '../backend.port';
import { takeFault } from './simulated-faults';
import { seedState, snapshotState } from './simulated-inventory';
import {
  completeOperation,
  finishOperation,
  isMigration,
  leftBehind,
  refusal,
  takeHostDown,
  undoOperation,
} from './simulated-operations';
import {
  MAX_CALLS,
  type SimCall,
  type SimFault,
  type SimOperation,
  type SimSettings,
  type SimState,
} from './simulator.state';

type OpKey = { actionId: string; attempt: number };

export type StartOutcome =
  | { outcome: 'started' | 'existing'; operation: SimOperation }
  | { outcome: 'rejected'; error: BackendError };

export class SimulatedCloud {
  constructor(private readonly state: SimState) {}

  seed(inventory: InventoryV1): void {
    seedState(this.state, inventory);
  }

  snapshot(now: number): InventoryV1 {
    this.advance(now);
    return snapshotState(this.state);
  }

  configure(settings: Partial<SimSettings>): void {
    Object.assign(this.state.settings, settings);
  }

  addFault(fault: SimFault): void {
    this.state.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.state.faults = [];
  }

  calls(): SimCall[] {
    return this.state.calls.map((c) => ({ ...c }));
  }

  operation(key: OpKey): SimOperation | undefined {
    return this.state.operations[handleKey(key)];
  }

  /** A host fails on its own (demo, tests): it and everything on it go down. */
  failHost(hostId: string, now: number): void {
    if (!this.state.hosts[hostId])
      throw new BackendError('not-found', hostId, { retriable: false });
    this.advance(now);
    takeHostDown(this.state, hostId, now, 'on');
  }

  /** Starts `action` once per (actionId, attempt); a repeated start returns the same operation. */
  start(action: BackendAction, now: number): StartOutcome {
    this.advance(now);
    const existing = this.operation(action);
    if (existing) {
      this.log('start', action, now, 'existing');
      return { outcome: 'existing', operation: existing };
    }
    const error = refusal(this.state, action);
    if (error) {
      this.log('start', action, now, 'rejected', error);
      return { outcome: 'rejected', error };
    }
    const op = this.newOperation(action, now);
    const effect = takeFault(this.state, action);
    if (effect === 'hang' || effect === 'slow') op.effect = effect;
    this.state.operations[op.key] = op;
    this.log('start', action, now, 'started');
    if (effect === 'fail' && op.kind === 'timed') {
      finishOperation(this.state, op, now, 'failed', 'simulated-failure', 'injected fault', true);
    } else {
      op.failsHalfway = effect === 'fail';
      this.progress(op, now);
    }
    return { outcome: 'started', operation: op };
  }

  /** Brings every running operation up to `now`. */
  advance(now: number): void {
    for (const op of Object.values(this.state.operations)) {
      if (op.status === 'running') this.progress(op, now);
    }
  }

  abort(key: OpKey, now: number): SimOperation {
    const op = this.require(key, 'abort', now);
    const running = op.status === 'running';
    if (running) finishOperation(this.state, op, now, 'aborted', 'aborted', 'aborted on request');
    this.log('abort', op, now, running ? 'done' : 'no-op');
    return op;
  }

  forceComplete(key: OpKey, now: number): SimOperation {
    const op = this.require(key, 'forceComplete', now);
    if (op.type !== 'live-migrate') {
      const error = new BackendError('unsupported', `cannot force-complete ${op.type}`, {
        retriable: false,
      });
      this.log('forceComplete', op, now, 'rejected', error);
      throw error;
    }
    // A hung migration stays hung: pausing the guest does not help a stuck transfer.
    const effective = op.status === 'running' && op.effect !== 'hang';
    if (op.status === 'running') op.forced = true;
    if (effective) completeOperation(this.state, op, now);
    this.log('forceComplete', op, now, effective ? 'done' : 'no-op');
    return op;
  }

  /** Undoes what a failed or aborted action left behind; a no-op when nothing is left. */
  failPath(action: BackendAction, now: number): string[] {
    this.advance(now);
    const op = this.operation(action);
    const steps: string[] = [];
    if (op?.status === 'running') {
      finishOperation(this.state, op, now, 'aborted', 'aborted', 'aborted by the fail path');
      steps.push(`aborted ${op.type} ${op.key}`);
    }
    // A succeeded operation took effect; undoing it is the planner's compensation, not this.
    if (op && op.status !== 'succeeded') steps.push(...undoOperation(this.state, op));
    this.log('failPath', action, now, steps.length > 0 ? 'done' : 'no-op');
    return steps;
  }

  inspect(action: BackendAction, now: number): { state: InspectState; op?: SimOperation } {
    this.advance(now);
    const op = this.operation(action);
    if (!op) return { state: 'not-started' };
    if (op.status === 'running' || op.status === 'succeeded') return { state: op.status, op };
    return { state: leftBehind(this.state, op) ? 'half-done' : 'failed', op };
  }

  private newOperation(action: BackendAction, now: number): SimOperation {
    const migration = isMigration(action.type);
    const vm = migration ? this.state.instances[(action.params as MigrateParams).instanceId] : null;
    const memory = vm?.resources.memoryMb ?? 0;
    const op: SimOperation = {
      key: handleKey(action),
      actionId: action.actionId,
      attempt: action.attempt,
      type: action.type,
      params: { ...action.params },
      deadline: action.deadline,
      status: 'running',
      startedAt: now,
      updatedAt: now,
      finishedAt: null,
      kind: migration ? 'transfer' : 'timed',
      totalMb: memory,
      remainingMb: memory,
      processedMb: 0,
      durationMs: migration ? 0 : this.state.settings.timedOperationMs,
      effect: 'none',
      failsHalfway: false,
      forced: false,
      claim: null,
      instanceStateBefore: vm?.state ?? null,
      rolesBefore: null,
      error: null,
    };
    if (vm) {
      const { toHostId } = action.params as MigrateParams;
      op.claim = { hostId: toHostId, ...vm.resources };
      vm.state = 'migrating';
    }
    if (action.type === 'switch-over') {
      const { fromInstanceId, toInstanceId } = action.params;
      op.rolesBefore = Object.fromEntries(
        [fromInstanceId, toInstanceId].map((id) => [id, this.state.instances[id].role ?? null]),
      );
    }
    return op;
  }

  private progress(op: SimOperation, now: number): void {
    const dt = Math.max(0, now - op.updatedAt) / 1000;
    op.updatedAt = Math.max(op.updatedAt, now);
    if (op.effect === 'hang') return;
    // `slow` divides both rates: ten times the duration, same convergence.
    const factor = op.effect === 'slow' ? 0.1 : 1;
    if (op.kind === 'timed') {
      if (now - op.startedAt >= op.durationMs / factor) completeOperation(this.state, op, now);
      return;
    }
    const s = this.state.settings;
    const instanceId = (op.params as MigrateParams).instanceId;
    // Only a running guest dirties memory: cold migration and evacuation copy it once.
    const dirty =
      op.type === 'live-migrate' ? (s.dirtyRateByInstance[instanceId] ?? s.dirtyRateMbps) : 0;
    const bandwidth = s.bandwidthMbps * factor;
    op.processedMb += bandwidth * dt;
    op.remainingMb = Math.min(
      op.totalMb,
      Math.max(0, op.remainingMb - (bandwidth - dirty * factor) * dt),
    );
    if (op.failsHalfway && op.processedMb >= op.totalMb / 2) {
      const message = `injected fault: ${op.type} failed at ${Math.round(op.processedMb)} MB`;
      finishOperation(this.state, op, now, 'failed', 'simulated-failure', message, true);
    } else if (op.remainingMb <= 0) {
      completeOperation(this.state, op, now);
    }
  }

  private require(key: OpKey, method: 'abort' | 'forceComplete', now: number): SimOperation {
    this.advance(now);
    const op = this.operation(key);
    if (!op) {
      throw new BackendError('not-found', `no simulated operation ${handleKey(key)} to ${method}`, {
        retriable: false,
      });
    }
    return op;
  }

  private log(
    method: SimCall['method'],
    a: Pick<SimOperation, 'actionId' | 'attempt' | 'type' | 'params'>,
    now: number,
    outcome: SimCall['outcome'],
    error?: BackendError,
  ): void {
    const call: SimCall = {
      seq: ++this.state.callSeq,
      method,
      actionId: a.actionId,
      attempt: a.attempt,
      type: a.type,
      params: { ...a.params },
      at: new Date(now).toISOString(),
      outcome,
    };
    if (error)
      call.error = { code: error.code, message: error.message, retriable: error.retriable };
    this.state.calls.push(call);
    if (this.state.calls.length > MAX_CALLS)
      this.state.calls.splice(0, this.state.calls.length - MAX_CALLS);
  }
}
