/**
 * What other apps may use of the engine (the all-in-one composes it with the driver in one
 * process). Anything not exported here is the engine's own: `npm run lint` refuses an import from
 * another app that reaches past this file.
 */
export { EngineModule } from './engine.module';
export { engineBodyLimits } from './rules/dry-run-limits';
export { InventoryService } from './inventory/inventory.service';
