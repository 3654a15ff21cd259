import { DynamicModule, Module } from '@nestjs/common';
import { ENGINE_CONFIG, EngineConfig } from '@reflex/config';
import {
  BUS_READINESS,
  HealthController,
  MessagingModule,
  MetricsRegistry,
  READINESS_CHECKS,
  ReadinessCheck,
} from '@reflex/platform';

@Module({})
export class EngineModule {
  static register(config: Readonly<EngineConfig>): DynamicModule {
    return {
      module: EngineModule,
      imports: [MessagingModule.forKafka(config)],
      controllers: [HealthController],
      providers: [
        { provide: ENGINE_CONFIG, useValue: config },
        MetricsRegistry,
        {
          provide: READINESS_CHECKS,
          useFactory: (bus: ReadinessCheck) => [bus],
          inject: [BUS_READINESS],
        },
      ],
    };
  }
}
