/**
 * What other apps may use of the driver (the all-in-one composes it with the engine in one process
 * and adds a simulated outage on its backends). Anything not exported here is the driver's own:
 * `npm run lint` refuses an import from another app that reaches past this file.
 */
export { DriverModule } from './driver.module';
export { BackendRegistry } from './backends/backend.registry';
export { BackendError } from './backends/backend.errors';
export { SimulatorControlEnabled } from './simulator-control/simulator-control.controller';
