import { Inject, Injectable } from '@nestjs/common';
import { PlanStateMachine, type PlanIntent, type PlanningConfig } from '@reflex/domain';
import type { EntityManager } from 'typeorm';
import { PlanExecutor } from '../execution/plan-executor.service';
import { CellViews } from '../inventory/cell-views';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { DeferredIntentRepository } from '../plans/deferred-intent.repository';
import { PLANNING_CONFIG } from '../plans/plan-lifecycle';
import { requireTransaction } from '../plans/plan-locks';
import { PlanRepository } from '../plans/plan.repository';
import { PlanningBatch, type PlanningParts } from './planning-batch';
import type { PlanningOutcome } from './planning-outcome';

export type { PlanningOutcome } from './planning-outcome';

/**
 * From a rule's decision to a stored plan. Runs in the caller's transaction (intake's, so the
 * alarms' dispositions and their plans commit together) under the planning lock, so concurrent
 * decisions see each other's plans and capacity reservations. A batch of decisions (one intake
 * batch) shares one critical section: see `PlanningBatch`.
 */
@Injectable()
export class PlanningService {
  private readonly parts: PlanningParts;

  constructor(
    plans: PlanRepository,
    deferred: DeferredIntentRepository,
    inventory: InventorySnapshots,
    cellViews: CellViews,
    executor: PlanExecutor,
    machine: PlanStateMachine,
    @Inject(PLANNING_CONFIG) config: PlanningConfig,
  ) {
    this.parts = { plans, deferred, inventory, cellViews, executor, machine, config };
  }

  /**
   * Runs `work` with one planning batch for the transaction `manager` holds, and stores the plans it
   * made before returning: the caller commits them with whatever else it wrote.
   */
  async batch<T>(manager: EntityManager, work: (batch: PlanningBatch) => Promise<T>): Promise<T> {
    requireTransaction(manager, 'planning');
    const batch = new PlanningBatch(manager, this.parts);
    const result = await work(batch);
    await batch.flush();
    return result;
  }

  /** One decision planned on its own (see `PlanningBatch.plan`). */
  createPlan(manager: EntityManager, intent: PlanIntent): Promise<PlanningOutcome> {
    return this.batch(manager, (batch) => batch.plan(intent));
  }

  /** A waiting decision planned again; the caller holds the planning lock. */
  plan(manager: EntityManager, intent: PlanIntent, deferredId: string): Promise<PlanningOutcome> {
    return this.batch(manager, (batch) => batch.plan(intent, deferredId));
  }
}
