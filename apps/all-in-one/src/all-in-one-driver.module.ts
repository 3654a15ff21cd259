import { DynamicModule, Module } from '@nestjs/common';
import { DRIVER_CONFIG, type DriverConfig } from '@reflex/config';
import { SimulatedOutageController } from './simulated-outage.controller';

/**
 * The driver as DriverModule makes it (`driver`), plus the all-in-one's simulated host failure on
 * the simulator control API. DriverModule itself is unchanged.
 */
@Module({})
export class AllInOneDriverModule {
  static register(config: Readonly<DriverConfig>, driver: DynamicModule): DynamicModule {
    return {
      module: AllInOneDriverModule,
      imports: [driver],
      controllers: [SimulatedOutageController],
      // For the simulator-control guard, which reads SIMULATOR_CONTROL from it.
      providers: [{ provide: DRIVER_CONFIG, useValue: config }],
    };
  }
}
