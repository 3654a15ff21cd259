import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BackendRegistry } from '../backends/backend.registry';
import type { SimSettings } from '../backends/simulator/simulator.state';
import { DRIVER_SETTINGS, type DriverSettings } from '../settings/driver-settings';
import { PgSimulatorStore } from '../backends/simulator/pg-simulator.store';

export const SIMULATOR_SETTINGS = Symbol('SIMULATOR_SETTINGS');

/**
 * Creates the simulated cloud on first start and applies the configured settings at every start
 * (the cloud itself, its migrations in flight included, carries over a restart). Prunes finished
 * operations every lease: those whose driver action has been final for SIMULATOR_RETAIN_MS (two
 * leases by default, by when any replica that still watched it has seen its lease go and let go
 * of it). Closes the backends on
 * shutdown: watchers stop, cloud operations carry on.
 */
@Injectable()
export class SimulatorLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('simulator');
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: PgSimulatorStore,
    private readonly backends: BackendRegistry,
    @Inject(SIMULATOR_SETTINGS) private readonly settings: Partial<SimSettings>,
    @Inject(DRIVER_SETTINGS) private readonly driver: DriverSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.store.ensure();
    await this.backends.simulator.configure(this.settings);
    this.logger.log(`simulator settings ${JSON.stringify(this.settings)}`);
    this.pruneTimer = setInterval(() => void this.prune(), this.driver.leaseMs);
    this.pruneTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.backends.close();
  }

  private async prune(): Promise<void> {
    try {
      const pruned = await this.store.prune(this.driver.simulatorRetainMs);
      if (pruned.operations + pruned.calls > 0) {
        this.logger.log(`pruned ${pruned.operations} operation(s), ${pruned.calls} call(s)`);
      }
    } catch (error) {
      this.logger.warn(`pruning the simulated cloud failed (next time): ${String(error)}`);
    }
  }
}
