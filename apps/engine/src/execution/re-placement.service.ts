import { Inject, Injectable } from '@nestjs/common';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import {
  inFlightFromPlans,
  inventoryDestinations,
  isMove,
  movesToReplace,
  type Destinations,
  type ExecutablePlan,
  type PlanningConfig,
} from '@reflex/domain';
import type { EntityManager } from 'typeorm';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { PLANNING_CONFIG } from '../plans/plan-lifecycle';
import { tryLockPlanning } from '../plans/plan-locks';
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
    @Inject(PLANNING_CONFIG) private readonly config: PlanningConfig,
  ) {}

  async destinationsFor(
    manager: EntityManager,
    plan: ExecutablePlan,
  ): Promise<Destinations | undefined> {
    // Pending moves may need a new destination; running ones are aborted if theirs went down.
    const open = (a: ActionV1) => a.state === 'pending' || (a.state === 'running' && isMove(a));
    if (!plan.actions.some((a) => open(a) && a.compensationFor === null)) return undefined;
    const view = await this.inventory.view(manager);
    const look = inventoryDestinations(view);
    if (movesToReplace(plan.actions, look).length === 0) return look;
    // Busy: a decision is being planned. The move waits; the ticker steps the plan again.
    if (!(await tryLockPlanning(manager))) return look;
    const live = await this.plans.listLive(manager);
    return inventoryDestinations(view, {
      inFlight: inFlightFromPlans(live, view),
      config: this.config.placement,
      planId: plan.id,
    });
  }
}
