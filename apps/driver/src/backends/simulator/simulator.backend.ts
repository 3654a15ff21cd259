import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import { BackendError } from '../backend.errors';
import {
  handleKey,
  type Backend,
  type BackendAction,
  type BackendHandle,
  type BackendPoll,
  type FailPathResult,
  type InspectResult,
} from '../backend.port';
import { SimulatedCloud } from './simulated-cloud';
import { parseFault } from './simulated-faults';
import type { SimCall, SimOperation, SimSettings } from './simulator.state';
import type { SimulatorStore } from './simulator.store';

/**
 * The `simulator` backend: the pure model, persisted in a `SimulatorStore` after every call, with
 * time from `clock`. Besides the port it offers what the simulator control API (CONTRACT §7)
 * needs: faults, the call log, seeding and a snapshot.
 */
export class SimulatorBackend implements Backend {
  readonly kind = 'simulator' as const;

  constructor(
    private readonly store: SimulatorStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async start(action: BackendAction): Promise<BackendHandle> {
    const result = await this.store.update((s) => {
      const r = new SimulatedCloud(s).start(action, this.clock());
      return r.outcome === 'rejected' ? r : { outcome: r.outcome, key: r.operation.key };
    }, keyOf(action));
    // Thrown after the store saved, so the refused call stays in the call log.
    if (result.outcome === 'rejected') throw result.error;
    return {
      backend: 'simulator',
      actionId: action.actionId,
      attempt: action.attempt,
      type: action.type,
      ref: { op: result.key },
    };
  }

  async poll(handle: BackendHandle): Promise<BackendPoll> {
    // Finished operations never change: the first poll after a quick one ends costs no write.
    const done = this.store.finished?.(handleKey(handle));
    if (done) return toPoll(done);
    return this.store.update((s) => {
      const cloud = new SimulatedCloud(s);
      cloud.advance(this.clock());
      const op = cloud.operation(handle);
      if (!op) throw missing(handle);
      return toPoll(op);
    }, keyOf(handle));
  }

  async abort(handle: BackendHandle): Promise<void> {
    await this.store.update(
      (s) => void new SimulatedCloud(s).abort(handle, this.clock()),
      keyOf(handle),
    );
  }

  async forceComplete(handle: BackendHandle): Promise<void> {
    // forceComplete logs a rejected call before throwing; keep the log by catching inside.
    const error = await this.store.update((s) => {
      try {
        new SimulatedCloud(s).forceComplete(handle, this.clock());
        return null;
      } catch (e) {
        if (e instanceof BackendError && e.code === 'unsupported') return e;
        throw e;
      }
    }, keyOf(handle));
    if (error) throw error;
  }

  inspect(action: BackendAction): Promise<InspectResult> {
    return this.store.update((s) => {
      const found = new SimulatedCloud(s).inspect(action, this.clock());
      const result: InspectResult = { state: found.state };
      if (found.op) {
        result.detail = toPoll(found.op).detail;
        if (found.op.error) result.error = { ...found.op.error };
      }
      if (found.state === 'running') {
        result.handle = {
          backend: 'simulator',
          actionId: action.actionId,
          attempt: action.attempt,
          type: action.type,
          ref: { op: found.op!.key },
        };
      }
      return result;
    }, keyOf(action));
  }

  async failPath(action: BackendAction): Promise<FailPathResult> {
    const steps = await this.store.update(
      (s) => new SimulatedCloud(s).failPath(action, this.clock()),
      keyOf(action),
    );
    return { steps };
  }

  // --- simulator control (CONTRACT §7), for the driver's /v1/sim endpoints -------------------

  /** Validates a `POST /v1/sim/faults` body and arms it. */
  async addFault(body: unknown): Promise<void> {
    const fault = parseFault(body);
    await this.store.update((s) => new SimulatedCloud(s).addFault(fault));
  }

  async clearFaults(): Promise<void> {
    await this.store.update((s) => new SimulatedCloud(s).clearFaults());
  }

  async calls(): Promise<SimCall[]> {
    return this.store.calls();
  }

  async seed(inventory: InventoryV1): Promise<void> {
    await this.store.update((s) => new SimulatedCloud(s).seed(inventory));
  }

  snapshot(): Promise<InventoryV1> {
    return this.store.update((s) => new SimulatedCloud(s).snapshot(this.clock()));
  }

  async configure(settings: Partial<SimSettings>): Promise<void> {
    await this.store.update((s) => new SimulatedCloud(s).configure(settings));
  }

  async failHost(hostId: string): Promise<void> {
    await this.store.update((s) => new SimulatedCloud(s).failHost(hostId, this.clock()));
  }
}

/** The one operation a call looks up by key, for stores that fetch operations on demand. */
const keyOf = (k: { actionId: string; attempt: number }) => [handleKey(k)];

function missing(handle: BackendHandle): BackendError {
  return new BackendError(
    'not-found',
    `no simulated operation ${handle.actionId}#${handle.attempt}`,
    {
      retriable: false,
    },
  );
}

function toPoll(op: SimOperation): BackendPoll {
  const done = op.totalMb <= 0 ? 1 : 1 - op.remainingMb / op.totalMb;
  const progress =
    op.status === 'succeeded'
      ? 100
      : op.kind === 'timed'
        ? 0
        : Math.min(99, Math.floor(done * 100));
  const poll: BackendPoll = {
    status: op.status,
    progress,
    detail: {
      totalMb: op.totalMb,
      remainingMb: Math.round(op.remainingMb),
      processedMb: Math.round(op.processedMb),
      forced: op.forced,
      ...(op.effect !== 'none' ? { effect: op.effect } : {}),
    },
  };
  if (op.error) poll.error = { ...op.error };
  return poll;
}
