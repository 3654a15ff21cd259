import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { PlanState } from '@reflex/contracts/plan.v1';
import {
  buildPlan,
  decideConflict,
  inFlightFromPlans,
  type InventoryView,
  planFromDraft,
  planResources,
  PlanStateMachine,
  promisedView,
  type ExecutablePlan,
  type LiveClaim,
  type PlanDraft,
  type PlanIntent,
  type PlanningConfig,
} from '@reflex/domain';
import type { EntityManager } from 'typeorm';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { DeferredIntentRepository } from '../plans/deferred-intent.repository';
import { PLANNING_CONFIG } from '../plans/plan-lifecycle';
import { lockPlanning, requireTransaction } from '../plans/plan-locks';
import { PlanExecutor } from '../execution/plan-executor.service';
import type { StoredTrigger } from '../plans/plan-rows';
import { PlanRepository } from '../plans/plan.repository';

export interface PlanningOutcome {
  /** The new plan, the plan merged into, or null while waiting. */
  planId: string | null;
  state: PlanState | 'waiting' | 'merged';
  reason: string | null;
}

const join = (...parts: Array<string | null | undefined>): string | null =>
  parts.filter((p): p is string => !!p).join('; ') || null;

/**
 * From a rule's decision to a stored plan. Runs in the caller's transaction (intake's, so the
 * alarm's disposition and its plan commit together) under the planning lock, so concurrent
 * decisions see each other's plans and capacity reservations. Live plans are read before the
 * inventory: a move that completes in between is then counted twice (reservation and inventory),
 * which errs on the safe side, never zero times.
 */
@Injectable()
export class PlanningService {
  constructor(
    private readonly plans: PlanRepository,
    private readonly deferred: DeferredIntentRepository,
    private readonly inventory: InventorySnapshots,
    private readonly executor: PlanExecutor,
    private readonly machine: PlanStateMachine,
    @Inject(PLANNING_CONFIG) private readonly config: PlanningConfig,
  ) {}

  /**
   * Decides on `intent` against the live plans and stores the result: a new plan (blocked ones
   * too, with the reason; an auto plan's first commands are in the outbox when this commits), a
   * merge into the live plan already doing the same, superseding lower-ranked holders, or a wait
   * for the holders to finish (planned again then, oldest first).
   */
  async createPlan(manager: EntityManager, intent: PlanIntent): Promise<PlanningOutcome> {
    await lockPlanning(manager);
    return this.plan(manager, intent, null);
  }

  /** Intake's `serialize`: the planning lock, for decisions that read other decisions' effects. */
  serialize(manager: EntityManager): Promise<void> {
    return lockPlanning(manager);
  }

  /**
   * For intake's resolved alarms: cancels the plan if it has not started; false otherwise (also for
   * an unknown plan, so that closing an alarm never fails on it).
   */
  async cancelIfNotStarted(
    manager: EntityManager,
    planId: string,
    reason: string,
  ): Promise<boolean> {
    requireTransaction(manager, 'cancelIfNotStarted');
    if (!(await this.plans.lock(manager, planId))) return false;
    let cancelled = false;
    await this.executor.step(manager, planId, (plan, now) => {
      if (plan.state !== 'pending_approval' && plan.state !== 'pending') {
        return { plan, events: [], commands: [], inventoryChanges: [] };
      }
      cancelled = true;
      return this.machine.cancel(plan, now, { by: 'intake', reason });
    });
    return cancelled;
  }

  /** Plans `intent` (a deferred one if `deferredId`); the caller holds the planning lock. */
  async plan(
    manager: EntityManager,
    intent: PlanIntent,
    deferredId: string | null,
  ): Promise<PlanningOutcome> {
    const live = await this.plans.listLive(manager);
    const view = await this.inventory.view(manager);
    const planId = randomUUID();
    const draft = this.build(intent, view, live, planId);
    const claims = live.map((plan): LiveClaim => ({
      planId: plan.id,
      policy: plan.policy,
      target: plan.target,
      state: plan.state,
      holds: planResources(view, plan.target, plan.actions, false),
    }));
    const decision = decideConflict(
      { policy: intent.policy, target: intent.target, holds: draft.holds },
      claims,
    );
    switch (decision.decision) {
      case 'proceed':
        return this.store(manager, draft, intent, deferredId, null);
      case 'merge':
        return this.merge(manager, decision.planId, intent, decision.reason, deferredId);
      case 'wait':
        if (deferredId) {
          await this.deferred.waitAgain(manager, deferredId, decision.planIds, decision.reason);
        } else {
          await this.deferred.add(manager, intent, decision.planIds, decision.reason);
        }
        return { planId: null, state: 'waiting', reason: decision.reason };
      case 'supersede': {
        const holders = [...decision.planIds].sort();
        for (const id of holders) await this.plans.lock(manager, id);
        for (const id of holders) {
          await this.executor.step(manager, id, (plan, now) =>
            this.machine.supersede(plan, planId, now),
          );
        }
        // Their moves will not happen now: plan again without their reservations.
        const rest = live.filter((plan) => !holders.includes(plan.id));
        const rebuilt = this.build(intent, view, rest, planId);
        const outcome = await this.store(manager, rebuilt, intent, deferredId, decision.reason);
        for (const id of holders) await this.plans.setSupersededBy(manager, id, planId);
        return outcome;
      }
    }
  }

  private build(
    intent: PlanIntent,
    view: InventoryView,
    live: readonly ExecutablePlan[],
    planId: string,
  ): PlanDraft {
    let first = true;
    const ids = () => {
      if (!first) return randomUUID();
      first = false;
      return planId;
    };
    const promised = promisedView(view, live);
    return buildPlan(intent, promised, inFlightFromPlans(live, view), this.config, ids);
  }

  private async store(
    manager: EntityManager,
    draft: PlanDraft,
    intent: PlanIntent,
    deferredId: string | null,
    conflict: string | null,
  ): Promise<PlanningOutcome> {
    const { plan, events } = planFromDraft(draft, new Date().toISOString());
    const trigger: StoredTrigger = { ...plan.trigger, ruleHash: intent.rule.hash };
    plan.trigger = trigger;
    if (deferredId) events[0].detail = { ...events[0].detail, deferredIntent: deferredId };
    const resources = [...draft.touches.hosts, ...draft.touches.instances];
    const { plan: stepped } = await this.executor.start(manager, plan, events, resources);
    if (deferredId) await this.deferred.resolve(manager, deferredId, stepped.state, plan.id);
    return { planId: plan.id, state: stepped.state, reason: join(conflict, plan.reason) };
  }

  private async merge(
    manager: EntityManager,
    planId: string,
    intent: PlanIntent,
    reason: string,
    deferredId: string | null,
  ): Promise<PlanningOutcome> {
    await this.plans.appendEvents(manager, [
      {
        at: new Date().toISOString(),
        planId,
        actionId: null,
        type: 'plan.note',
        from: null,
        to: null,
        detail: { merged: { alarm: intent.alarm, rule: intent.rule.name }, reason },
      },
    ]);
    if (deferredId) await this.deferred.resolve(manager, deferredId, 'merged', planId);
    return { planId, state: 'merged', reason };
  }
}
