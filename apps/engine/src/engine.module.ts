import {
  DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ENGINE_CONFIG, EngineConfig } from '@reflex/config';
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
import { AuditModule } from './audit/audit.module';
import { ConsoleModule } from './console/console.module';
import { KnownQueryGuard } from './common/known-query.guard';
import { RefuseNulMiddleware } from './common/refuse-nul.middleware';
import { IntakeModule } from './intake/intake.module';
import { InventoryModule } from './inventory/inventory.module';
import { PlansModule } from './plans.module';
import { RulesModule } from './rules/rules.module';

/**
 * The engine: alarms in (intake), decisions (rules), plans (planning), plan execution tracking, and
 * the REST API over all of it. Each feature folder is one Nest module.
 */
@Module({})
export class EngineModule implements NestModule {
  static register(config: Readonly<EngineConfig>): DynamicModule {
    return {
      module: EngineModule,
      global: true,
      imports: [
        DatabaseModule.forRoot(config, 'reflex-engine'),
        MessagingModule.forKafka(config),
        InventoryModule,
        RulesModule,
        PlansModule,
        IntakeModule,
        AuditModule,
        ConsoleModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: ENGINE_CONFIG, useValue: config },
        MetricsRegistry,
        BusMetrics,
        { provide: APP_GUARD, useClass: KnownQueryGuard },
        {
          provide: READINESS_CHECKS,
          useFactory: (db: ReadinessCheck, bus: ReadinessCheck) => [db, bus],
          inject: [DATABASE_READINESS, BUS_READINESS],
        },
      ],
      exports: [ENGINE_CONFIG, MetricsRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RefuseNulMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
