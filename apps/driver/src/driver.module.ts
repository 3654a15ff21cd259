import { DynamicModule, Module } from '@nestjs/common';
import { DRIVER_CONFIG, DriverConfig } from '@reflex/config';
import {
  BUS_READINESS,
  BusMetrics,
  DATABASE_READINESS,
  DatabaseModule,
  HealthController,
  MessagingModule,
  MetricsRegistry,
  READINESS_CHECKS,
  ReadinessCheck,
} from '@reflex/platform';
import { DataSource } from 'typeorm';
import { ActionLeases } from './actions/action-leases.service';
import { ActionRunner } from './actions/action-runner.service';
import { DriverActionRepository } from './action-store/driver-action.repository';
import {
  BackendRegistry,
  loadBackendsConfig,
  type BackendsConfig,
} from './backends/backend.registry';
import type { SimSettings } from './backends/simulator/simulator.state';
import { DriverCommandsConsumer } from './commands/driver-commands.consumer';
import { HandleDriverCommand } from './commands/handle-driver-command.usecase';
import { DriverEventsPublisher } from './events/driver-events.publisher';
import { DriverMetrics } from './events/driver.metrics';
import { HookRunner } from './hooks/hook.runner';
import { HostBackendResolver } from './routing/host-backend.resolver';
import { DRIVER_SETTINGS, type DriverSettings } from './settings/driver-settings';
import { PgSimulatorStore } from './backends/simulator/pg-simulator.store';
import { SimulatorControlController } from './simulator-control/simulator-control.controller';
import { SIMULATOR_SETTINGS, SimulatorLifecycle } from './simulator-control/simulator.lifecycle';

const BACKENDS_CONFIG = Symbol('BACKENDS_CONFIG');

/**
 * The driver: `driver.commands` in (commands/), actions carried out on backends under leases in
 * `driver_actions` (actions/), `driver.events` out (events/), the backend per host (routing/),
 * the simulated cloud (backends/simulator/, kept in its own table) and its control API
 * (simulator-control/).
 */
@Module({})
export class DriverModule {
  static register(config: Readonly<DriverConfig>): DynamicModule {
    const settings: DriverSettings = {
      replicaId: config.replicaId,
      leaseMs: config.leaseMs,
      abortGraceMs: config.abortGraceMs,
      simulatorRetainMs: config.simulatorRetainMs,
    };
    return {
      module: DriverModule,
      imports: [DatabaseModule.forRoot(config, 'reflex-driver'), MessagingModule.forKafka(config)],
      controllers: [HealthController, SimulatorControlController],
      providers: [
        { provide: DRIVER_CONFIG, useValue: config },
        { provide: DRIVER_SETTINGS, useValue: settings },
        MetricsRegistry,
        BusMetrics,
        {
          provide: READINESS_CHECKS,
          useFactory: (db: ReadinessCheck, bus: ReadinessCheck) => [db, bus],
          inject: [DATABASE_READINESS, BUS_READINESS],
        },
        { provide: BACKENDS_CONFIG, useFactory: () => loadBackendsConfig(config.backendsFile) },
        {
          // The backends file's simulator section wins over SIMULATOR_BANDWIDTH_MBPS.
          provide: SIMULATOR_SETTINGS,
          useFactory: (backends: BackendsConfig): Partial<SimSettings> => ({
            bandwidthMbps: config.simulatorBandwidthMbps,
            ...backends.simulator,
          }),
          inject: [BACKENDS_CONFIG],
        },
        {
          provide: PgSimulatorStore,
          useFactory: (dataSource: DataSource, sim: Partial<SimSettings>) =>
            new PgSimulatorStore(dataSource, sim),
          inject: [DataSource, SIMULATOR_SETTINGS],
        },
        {
          provide: BackendRegistry,
          useFactory: (backends: BackendsConfig, store: PgSimulatorStore) =>
            new BackendRegistry(backends, store),
          inject: [BACKENDS_CONFIG, PgSimulatorStore],
        },
        {
          provide: HostBackendResolver,
          useFactory: (backends: BackendsConfig, store: PgSimulatorStore) =>
            new HostBackendResolver(backends, (wanted) => store.holding(wanted)),
          inject: [BACKENDS_CONFIG, PgSimulatorStore],
        },
        { provide: HookRunner, useFactory: () => HookRunner.fromFile(config.hooksFile) },
        SimulatorLifecycle,
        DriverMetrics,
        DriverActionRepository,
        DriverEventsPublisher,
        ActionRunner,
        ActionLeases,
        HandleDriverCommand,
        DriverCommandsConsumer,
      ],
    };
  }
}
