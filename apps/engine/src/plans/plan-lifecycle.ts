import { randomUUID } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { PlanStateMachine, type PlanningConfig } from '@reflex/domain';

export const PLANNING_CONFIG = Symbol('PLANNING_CONFIG');

/** The lifecycle with the configured concurrency limits; deadlines and retries take the domain defaults. */
export const planStateMachineProvider: Provider = {
  provide: PlanStateMachine,
  useFactory: (config: EngineConfig) =>
    new PlanStateMachine(() => randomUUID(), {
      maxActionsPerPlan: config.maxActionsPerPlan,
      maxLiveMigrationsPerHost: config.maxLiveMigrationsPerHost,
    }),
  inject: [ENGINE_CONFIG],
};

export const planningConfigProvider: Provider = {
  provide: PLANNING_CONFIG,
  useFactory: (config: EngineConfig): PlanningConfig => ({
    placement: { cpuOvercommit: config.cpuOvercommit, memoryOvercommit: config.memoryOvercommit },
    cellLabel: config.planningCellLabel,
  }),
  inject: [ENGINE_CONFIG],
};
