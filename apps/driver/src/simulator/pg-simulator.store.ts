import type { DataSource } from 'typeorm';
import {
  emptySimState,
  type SimSettings,
  type SimState,
} from '../backends/simulator/simulator.state';
import type { SimulatorStore } from '../backends/simulator/simulator.store';

const ROW_ID = 1;

/**
 * The simulated cloud in PostgreSQL (`simulator_state`, one row). Every `update` is
 * `BEGIN; SELECT ... FOR UPDATE; mutate; UPDATE; COMMIT`, so replicas sharing the database share
 * one cloud and never interleave two changes; a `mutate` that throws rolls the transaction back.
 */
export class PgSimulatorStore implements SimulatorStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly initialSettings: Partial<SimSettings> = {},
  ) {}

  /** Creates the row on first use; a driver that restarts keeps the cloud it had. */
  async ensure(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO simulator_state (id, state) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING`,
      [ROW_ID, JSON.stringify(emptySimState(this.initialSettings))],
    );
  }

  update<T>(mutate: (state: SimState) => T): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager.query<{ state: SimState }[]>(
        `SELECT state FROM simulator_state WHERE id = $1 FOR UPDATE`,
        [ROW_ID],
      );
      const state = rows[0]?.state ?? emptySimState(this.initialSettings);
      const result = mutate(state);
      await manager.query(
        `INSERT INTO simulator_state (id, state, updated_at) VALUES ($1, $2::jsonb, now())
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
        [ROW_ID, JSON.stringify(state)],
      );
      return result;
    });
  }

  async read(): Promise<SimState> {
    const rows = await this.dataSource.query<{ state: SimState }[]>(
      `SELECT state FROM simulator_state WHERE id = $1`,
      [ROW_ID],
    );
    return rows[0]?.state ?? emptySimState(this.initialSettings);
  }
}
