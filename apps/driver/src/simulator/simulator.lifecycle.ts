import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BackendRegistry } from '../backends/backend.registry';
import type { SimSettings } from '../backends/simulator/simulator.state';
import { PgSimulatorStore } from './pg-simulator.store';

export const SIMULATOR_SETTINGS = Symbol('SIMULATOR_SETTINGS');

/**
 * Creates the simulated cloud's row on first start and applies the configured settings at every
 * start (the cloud itself, its migrations in flight included, carries over a restart). Closes the
 * backends on shutdown: watchers stop, cloud operations carry on.
 */
@Injectable()
export class SimulatorLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('simulator');

  constructor(
    private readonly store: PgSimulatorStore,
    private readonly backends: BackendRegistry,
    @Inject(SIMULATOR_SETTINGS) private readonly settings: Partial<SimSettings>,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.store.ensure();
    await this.backends.simulator.configure(this.settings);
    this.logger.log(`simulator settings ${JSON.stringify(this.settings)}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.backends.close();
  }
}
