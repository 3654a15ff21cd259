// How a host.down alarm in the storm becomes real in the simulator (so evacuations evacuate):
// before the alarm is sent, the host fails in the simulated cloud through the simulator's own model
// (SimulatorBackend.failHost: the host goes down with everything on it, migrations to and from it
// fail), written to the simulator's tables the drivers share through the same store they use, whose
// version check makes the drivers read the change before their next call. The control API has no
// call for a single host (PUT /v1/sim/state would drop every operation in flight), so this is what
// they would see had the host really died.
import { DataSource } from 'typeorm';
import { SimulatorBackend } from '../../../apps/driver/src/backends/simulator/simulator.backend';
import { PgSimulatorStore } from '../../../apps/driver/src/backends/simulator/pg-simulator.store';

export class SimHostFailures {
  private readonly dataSource: DataSource;
  private readonly backend: SimulatorBackend;

  constructor(databaseUrl: string) {
    this.dataSource = new DataSource({
      type: 'postgres',
      url: databaseUrl,
      poolSize: 2,
      applicationName: 'chaos-sim',
    });
    this.backend = new SimulatorBackend(new PgSimulatorStore(this.dataSource));
  }

  /** Fails `hostId`, retrying while the database is unreachable (the database-loss scenario). */
  readonly fail = async (hostId: string): Promise<void> => {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.backend.failHost(hostId);
        return;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };

  /** The simulator's operations, by `actionId#attempt`, for the "nothing ran twice" checks. */
  async operations(): Promise<
    Array<{ actionId: string; attempt: number; type: string; status: string }>
  > {
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    const rows = await this.dataSource.query<Array<{ op: Record<string, unknown> }>>(
      `SELECT data AS op FROM simulator_operations`,
    );
    return rows.map((r) => ({
      actionId: String(r.op.actionId),
      attempt: Number(r.op.attempt),
      type: String(r.op.type),
      status: String(r.op.status),
    }));
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
