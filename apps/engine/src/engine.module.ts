import { DynamicModule, Module } from '@nestjs/common';
import { ENGINE_CONFIG, EngineConfig } from '@reflex/config';
import {
  BUS_READINESS,
  DATABASE_READINESS,
  DatabaseModule,
  HealthController,
  MessagingModule,
  MetricsRegistry,
  READINESS_CHECKS,
  ReadinessCheck,
} from '@reflex/platform';
import { InventoryModule } from './inventory/inventory.module';

/**
 * The engine: alarms in (intake), decisions (rules), plans (planning), plan execution tracking, and
 * the REST API over all of it. Each feature folder is one Nest module.
 */
@Module({})
export class EngineModule {
  static register(config: Readonly<EngineConfig>): DynamicModule {
    return {
      module: EngineModule,
      global: true,
      imports: [
        DatabaseModule.forRoot(config, 'reflex-engine'),
        MessagingModule.forKafka(config),
        InventoryModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: ENGINE_CONFIG, useValue: config },
        MetricsRegistry,
        {
          provide: READINESS_CHECKS,
          useFactory: (db: ReadinessCheck, bus: ReadinessCheck) => [db, bus],
          inject: [DATABASE_READINESS, BUS_READINESS],
        },
      ],
      exports: [ENGINE_CONFIG, MetricsRegistry],
    };
  }
}
