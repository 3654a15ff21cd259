import { Inject, Injectable } from '@nestjs/common';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import {
  inFlightFromPlans,
  inventoryDestinations,
  isMove,
  movesToReplace,
  type Destinations,
  type ExecutablePlan,
  type InventoryView,
  type PlanningConfig,
} from '@reflex/domain';
import { CellViews } from '../inventory/cell-views';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { PLANNING_CONFIG } from '../plans/plan-lifecycle';
import { PlanLocks } from '../plans/plan-locks';
import { PlanRepository } from '../plans/plan.repository';

/**
 * What a plan step needs to place a move again (CONTRACT §9): which hosts the inventory says can
 * take moves and, only when one of the plan's pending moves needs a new destination, the live
 * plans' reservations under the planning lock, so a re-placement and a new plan never promise the
 * same room twice. A step with no pending move costs nothing here; one whose moves are all fine
 * costs the inventory version check.
 */
@Injectable()
export class RePlacementService {
  constructor(
    private readonly plans: PlanRepository,
    private readonly inventory: InventorySnapshots,
    private readonly cellViews: CellViews,
    private readonly locks: PlanLocks,
    @Inject(PLANNING_CONFIG) private readonly config: PlanningConfig,
  ) {}

  /** `view`: the inventory snapshot the caller already holds (a planning batch's), else read. */
  async destinationsFor(
    plan: ExecutablePlan,
    known?: InventoryView,
  ): Promise<Destinations | undefined> {
    // Pending moves may need a new destination; running ones are aborted if theirs went down.
    const open = (a: ActionV1) => a.state === 'pending' || (a.state === 'running' && isMove(a));
    if (!plan.actions.some((a) => open(a) && a.compensationFor === null)) return undefined;
    const view = known ?? (await this.inventory.view());
    const look = inventoryDestinations(view);
    if (movesToReplace(plan.actions, look).length === 0) return look;
    // Placed again within the plan's cell, against that cell's reservations. Busy: a decision is
    // being planned there. The move waits; the ticker steps the plan again.
    const cell = await this.plans.cellOf(plan.id);
    if (!(await this.locks.tryCell(cell))) return look;
    const live = await this.plans.listLive(cell);
    const cellView = this.cellViews.of(view, cell);
    return inventoryDestinations(cellView, {
      inFlight: inFlightFromPlans(live, cellView),
      config: this.config.placement,
      planId: plan.id,
    });
  }
}
