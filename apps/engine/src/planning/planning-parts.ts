import type { PlanningConfig, PlanStateMachine } from '@reflex/domain';
import type { PlanExecutor } from '../execution/plan-executor.service';
import type { CellViews } from '../inventory/cell-views';
import type { InventorySnapshots } from '../inventory/inventory-snapshots';
import type { DeferredIntentRepository } from '../plans/deferred-intent.repository';
import type { PlanLocks } from '../plans/plan-locks';
import type { PlanRepository } from '../plans/plan.repository';
import type { LivePlans } from './live-plans';

/** What a planning batch and its cells work with: PlanningService hands its own to each batch. */
export interface PlanningParts {
  plans: PlanRepository;
  livePlans: LivePlans;
  deferred: DeferredIntentRepository;
  inventory: InventorySnapshots;
  cellViews: CellViews;
  executor: PlanExecutor;
  machine: PlanStateMachine;
  locks: PlanLocks;
  config: PlanningConfig;
}
