import { emptySimState, type SimSettings, type SimState } from './simulator.state';

/**
 * Where the simulated cloud lives between calls. The whole state is one JSON document (a few
 * hundred hosts at most in a demo), and every change is a read-modify-write under one lock, so
 * driver replicas sharing the simulator never migrate the same instance twice.
 *
 * A PostgreSQL implementation keeps one row (`simulator_state(id smallint primary key,
 * state jsonb not null, updated_at timestamptz)`) and runs `update` as `BEGIN; SELECT state ...
 * FOR UPDATE; <mutate>; UPDATE ...; COMMIT`, rolling back if `mutate` throws.
 */
export interface SimulatorStore {
  /**
   * Runs `mutate` on the current state with no other writer in between and saves the result.
   * If `mutate` throws, nothing is saved and the error propagates. `mutate` must be synchronous.
   */
  update<T>(mutate: (state: SimState) => T): Promise<T>;
  /** A copy of the current state; changing it changes nothing. */
  read(): Promise<SimState>;
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

  async read(): Promise<SimState> {
    await this.queue;
    return structuredClone(this.state);
  }
}
