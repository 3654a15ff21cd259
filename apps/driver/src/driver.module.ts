import { DynamicModule, Module } from '@nestjs/common';
import { DRIVER_CONFIG, DriverConfig } from '@reflex/config';
import {
  BUS_READINESS,
  HealthController,
  MessagingModule,
  MetricsRegistry,
  READINESS_CHECKS,
  ReadinessCheck,
} from '@reflex/platform';

@Module({})
export class DriverModule {
  static register(config: Readonly<DriverConfig>): DynamicModule {
    return {
      module: DriverModule,
      imports: [MessagingModule.forKafka(config)],
      controllers: [HealthController],
      providers: [
        { provide: DRIVER_CONFIG, useValue: config },
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
