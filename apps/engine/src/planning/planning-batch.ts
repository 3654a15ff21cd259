import { randomUUID } from 'node:crypto';
import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import {
  buildPlan,
  ONE_CELL,
  decideConflict,
  type ExecutablePlan,
  type InFlight,
  inFlightFromPlans,
  type InventoryView,
  isFinalPlanState,
  type PlanDraft,
  planFromDraft,
  type PlanIntent,
  promisedView,
} from '@reflex/domain';
import { BatchCells } from './batch-cells';
import { isLive } from './live-plans';
import type { NewPlanStep } from '../execution/plan-executor.service';
import type { PlanningParts } from './planning-parts';
import type { StoredTrigger } from '../plans/plan-rows';
import type { PlanningOutcome } from './planning-outcome';

const join = (...parts: Array<string | null | undefined>): string | null =>
  parts.filter((p): p is string => !!p).join('; ') || null;

/**
 * The decisions of one transaction (an intake batch, or one decision) planned in one critical
 * section: the planning lock taken once, the live plans, the inventory and the running actions read
 * once, and the new plans written together by `flush` (one statement per table). Each decision is
 * planned exactly as if it came alone after the ones before it: a plan made here joins the live
 * plans the next decision is planned against, with its reservations and its claims.
 *
 * What the reads miss while the batch runs errs on the safe side: no other transaction can make or
 * supersede a plan (PLANNING) or start an action (DISPATCH, once taken), so other plans can only
 * have finished actions since, which still count as reserved here. Anything that needs the new
 * plans in the database (a merge, a wait, a supersede, a cancel) flushes first.
 */
export class PlanningBatch {
  private readonly pending: NewPlanStep[] = [];
  /**
   * When the batch last made a plan that is not blocked, by rule and target (`madeKey`), stored
   * yet or not: a lookup per decision, where a scan of the batch's plans grew with the batch.
   */
  private readonly lastMade = new Map<string, string>();
  private readonly cells: BatchCells;

  constructor(private readonly parts: PlanningParts) {
    this.cells = new BatchCells(parts);
  }

  /** See `BatchCells.prepare`. */
  prepare(resources: readonly ResourceRefV1[]): Promise<void> {
    return this.cells.prepare(resources);
  }

  /**
   * The planning locks of the batch's cells, once: for decisions that read what other decisions did
   * (a zone's recent losses), which must read it in the order they are made.
   */
  serialize(): Promise<void> {
    return this.cells.serialize();
  }

  /**
   * Decides on `intent` (a deferred one if `deferredId`) against the live plans and stores the
   * result: a new plan (blocked ones too, with the reason; an auto plan's first commands are in the
   * outbox when this commits), a merge into the live plan already doing the same, superseding
   * lower-ranked holders, or a wait for the holders to finish (planned again then, oldest first).
   */
  async plan(intent: PlanIntent, deferredId: string | null = null): Promise<PlanningOutcome> {
    const found = await this.cells.cellOf(intent.target);
    const planId = randomUUID();
    if (found.cell === null) {
      // Refused: blocked with the reason, holding nothing, so no cell's lock or plans are needed.
      const view = await this.cells.wholeView();
      const nothing = { promised: view, inFlight: { reservations: [], drainingHosts: [] } };
      const draft = this.build(intent, view, nothing, planId, found.refused);
      return this.store(ONE_CELL, draft, intent, deferredId, null);
    }
    const cell = await this.cells.cell(found.cell);
    const { view } = cell;
    const draft = this.build(intent, view, cell.promised(view), planId);
    const decision = decideConflict(
      { policy: intent.policy, target: intent.target, holds: draft.holds },
      cell.claimsOn(draft.holds),
    );
    switch (decision.decision) {
      case 'proceed':
        return this.store(found.cell, draft, intent, deferredId, null);
      case 'merge':
        return this.merge(decision.planId, intent, decision.reason, deferredId);
      case 'wait':
        await this.flush();
        if (deferredId) {
          await this.parts.deferred.waitAgain(deferredId, decision.planIds, decision.reason);
        } else {
          await this.parts.deferred.add(intent, decision.planIds, decision.reason);
        }
        return { planId: null, state: 'waiting', reason: decision.reason };
      case 'supersede': {
        await this.flush();
        const holders = [...decision.planIds].sort();
        for (const id of holders) await this.parts.plans.lock(id);
        for (const id of holders) {
          const stepped = await this.parts.executor.step(id, (plan, now) =>
            this.parts.machine.supersede(plan, planId, now),
          );
          if (stepped) cell.replace(stepped.plan);
        }
        // Their moves will not happen now: plan again without their reservations.
        const rest = cell.live.filter((plan) => !holders.includes(plan.id));
        const promises = {
          promised: promisedView(view, rest),
          inFlight: inFlightFromPlans(rest, view),
        };
        const rebuilt = this.build(intent, view, promises, planId);
        const outcome = await this.store(found.cell, rebuilt, intent, deferredId, decision.reason);
        await this.flush();
        for (const id of holders) await this.parts.plans.setSupersededBy(id, planId);
        return outcome;
      }
    }
  }

  /**
   * For intake's resolved alarms: cancels the plan if it has not started; false otherwise (also for
   * an unknown plan, so that closing an alarm never fails on it).
   */
  async cancelIfNotStarted(planId: string, reason: string): Promise<boolean> {
    await this.flush();
    if (!(await this.parts.plans.lock(planId))) return false;
    let cancelled = false;
    const stepped = await this.parts.executor.step(planId, (plan, now) => {
      if (plan.state !== 'pending_approval' && plan.state !== 'pending') {
        return { plan, events: [], commands: [], inventoryChanges: [] };
      }
      cancelled = true;
      return this.parts.machine.cancel(plan, now, { by: 'intake', reason });
    });
    if (stepped) this.cells.replace(stepped.plan);
    return cancelled;
  }

  /**
   * When the batch last made a plan (not blocked) for `rule` on the target: a cooldown's read,
   * made once per batch, cannot see them.
   */
  lastPlanAt(rule: string, kind: string, id: string): Date | null {
    const last = this.lastMade.get(madeKey(rule, kind, id));
    return last ? new Date(last) : null;
  }

  /** Writes the plans made since the last flush; the batch's owner calls it before commit. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const steps = this.pending.splice(0);
    await this.parts.executor.storeNew(steps);
    // Their steps changed the inventory (in this transaction): read it again when next needed.
    if (steps.some((s) => s.result.inventoryChanges.length > 0)) this.cells.inventoryChanged();
  }

  /** `live`: the cell's live plans' promises over `view` (CellState.promised). */
  private build(
    intent: PlanIntent,
    view: InventoryView,
    live: { promised: InventoryView; inFlight: InFlight },
    planId: string,
    refused: string | null = null,
  ): PlanDraft {
    let first = true;
    const ids = () => {
      if (!first) return randomUUID();
      first = false;
      return planId;
    };
    return buildPlan(intent, live.promised, live.inFlight, this.parts.config, ids, refused);
  }

  private async store(
    cell: string,
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
    const step = await this.parts.executor.firstStep(
      plan,
      events,
      resources,
      this.cells.runningIn(cell),
      this.cells.viewOf(cell),
    );
    step.row.cell = cell;
    this.pending.push(step);
    const stepped = step.outcome.plan;
    this.noteMade(stepped);
    if (isLive(stepped)) this.cells.added(cell, stepped);
    // A step that changed the inventory or finished the plan has effects (inventory rows,
    // follow-ups) that later decisions read from the database: store it now.
    const finished = isFinalPlanState(stepped.state) && !isFinalPlanState(plan.state);
    if (step.result.inventoryChanges.length > 0 || finished) await this.flush();
    if (deferredId) {
      await this.flush();
      await this.parts.deferred.resolve(deferredId, stepped.state, plan.id);
    }
    return { planId: plan.id, state: stepped.state, reason: join(conflict, plan.reason) };
  }

  private noteMade(plan: ExecutablePlan): void {
    if (plan.state === 'blocked') return;
    const key = madeKey((plan.trigger as StoredTrigger).rule, plan.target.kind, plan.target.id);
    if (plan.createdAt > (this.lastMade.get(key) ?? '')) this.lastMade.set(key, plan.createdAt);
  }

  private async merge(
    planId: string,
    intent: PlanIntent,
    reason: string,
    deferredId: string | null,
  ): Promise<PlanningOutcome> {
    await this.flush();
    await this.parts.plans.appendEvents([
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
    if (deferredId) await this.parts.deferred.resolve(deferredId, 'merged', planId);
    return { planId, state: 'merged', reason };
  }
}

const madeKey = (rule: string, kind: string, id: string) => `${rule}\u0000${kind}\u0000${id}`;
