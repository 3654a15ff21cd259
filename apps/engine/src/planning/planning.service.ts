import { Inject, Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { PlanStateMachine, type PlanIntent, type PlanningConfig } from '@reflex/domain';
import { PlanExecutor } from '../execution/plan-executor.service';
import { CellViews } from '../inventory/cell-views';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { DeferredIntentRepository } from '../plans/deferred-intent.repository';
import { PLANNING_CONFIG } from '../plans/plan-lifecycle';
import { PlanLocks } from '../plans/plan-locks';
import { PlanRepository } from '../plans/plan.repository';
import { LivePlans } from './live-plans';
import { PlanningBatch } from './planning-batch';
import type { PlanningParts } from './planning-parts';
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
    private readonly uow: UnitOfWork,
    plans: PlanRepository,
    livePlans: LivePlans,
    deferred: DeferredIntentRepository,
    inventory: InventorySnapshots,
    cellViews: CellViews,
    executor: PlanExecutor,
    machine: PlanStateMachine,
    locks: PlanLocks,
    @Inject(PLANNING_CONFIG) config: PlanningConfig,
  ) {
    this.parts = {
      plans,
      livePlans,
      deferred,
      inventory,
      cellViews,
      executor,
      machine,
      locks,
      config,
    };
  }

  /**
   * Runs `work` with one planning batch in the unit of work's transaction, and stores the plans it
   * made before returning: the caller commits them with whatever else it wrote.
   */
  async batch<T>(work: (batch: PlanningBatch) => Promise<T>): Promise<T> {
    this.uow.requireTransaction('planning');
    const batch = new PlanningBatch(this.parts);
    const result = await work(batch);
    await batch.flush();
    return result;
  }

  /** One decision planned on its own (see `PlanningBatch.plan`). */
  createPlan(intent: PlanIntent): Promise<PlanningOutcome> {
    return this.batch((batch) => batch.plan(intent));
  }

  /** A waiting decision planned again; the caller holds the planning lock. */
  plan(intent: PlanIntent, deferredId: string): Promise<PlanningOutcome> {
    return this.batch((batch) => batch.plan(intent, deferredId));
  }
}
