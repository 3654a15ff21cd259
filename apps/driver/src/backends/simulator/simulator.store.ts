import {
  emptySimState,
  MAX_CALLS,
  type SimCall,
  type SimOperation,
  type SimSettings,
  type SimState,
} from './simulator.state';

/** Ids of hosts, instances and groups: what choosing a backend asks of the simulated cloud. */
export interface SimulatedDirectory {
  hosts: ReadonlySet<string>;
  instances: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}

/**
 * Where the simulated cloud lives between calls. Every change is a read-modify-write of the model's
 * `SimState` with no other writer in between, so driver replicas sharing the simulator never
 * migrate the same instance twice.
 */
export interface SimulatorStore {
  /**
   * Runs `mutate` on the current state with no other writer in between and saves the result.
   * If `mutate` throws, nothing is saved and the error propagates. `mutate` must be synchronous.
   *
   * `operations` names (by `actionId#attempt`) every operation `mutate` looks up by key: a store
   * may keep only running operations (and those holding capacity) at hand and fetch the others
   * it is told about. Operations `mutate` finds by iterating are always the running ones.
   */
  update<T>(mutate: (state: SimState) => T, operations?: readonly string[]): Promise<T>;
  /**
   * An operation that has finished for good (ended, holding no capacity), when the store has it
   * at hand without a round trip. Such an operation never changes again, so reading it outside
   * `update` gives what `update` would. Optional: undefined means "ask `update`".
   */
  finished?(key: string): SimOperation | undefined;
  /** The newest `MAX_CALLS` backend calls, oldest first. */
  calls(): Promise<SimCall[]>;
  /** Which of `wanted` the simulated cloud holds. */
  holding(wanted: SimulatedDirectory): Promise<SimulatedDirectory>;
}

/** For tests and the all-in-one mode: the state lives and dies with the process. */
export class InMemorySimulatorStore implements SimulatorStore {
  private state: SimState;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(initial: SimState | Partial<SimSettings> = {}) {
    this.state = 'version' in initial ? structuredClone(initial) : emptySimState(initial);
  }

  update<T>(mutate: (state: SimState) => T): Promise<T> {
    const run = this.queue.then(() => {
      // Work on a copy so a throwing `mutate` leaves the saved state untouched, like a rollback.
      const draft = structuredClone(this.state);
      const result = mutate(draft);
      this.state = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async calls(): Promise<SimCall[]> {
    await this.queue;
    return this.state.calls.slice(-MAX_CALLS).map((c) => ({ ...c }));
  }

  async holding(wanted: SimulatedDirectory): Promise<SimulatedDirectory> {
    await this.queue;
    const held = (ids: ReadonlySet<string>, map: Record<string, unknown>) =>
      new Set([...ids].filter((id) => map[id] !== undefined));
    return {
      hosts: held(wanted.hosts, this.state.hosts),
      instances: held(wanted.instances, this.state.instances),
      groups: held(wanted.groups, this.state.groups),
    };
  }
}
