import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@reflex/common';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import type { PlanState } from '@reflex/contracts/plan.v1';
import {
  isFinalPlanState,
  PlanStateMachine,
  type ExecutablePlan,
  type LifecycleResult,
  type PlanTimelineEvent,
} from '@reflex/domain';
import { OutboxRepository } from '@reflex/persistence';
import type { EntityManager } from 'typeorm';
import { InventoryService } from '../inventory/inventory.service';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { planCreatedLine, planSteppedLine } from './plan-log';
import { PlanMetrics } from './plan-metrics';
import { lockDispatch } from '../plans/plan-locks';
import { commandMessage, planEventMessages } from '../outbox/plan-messages';
import { PlanSignals } from './plan-signals';
import { PlanRepository } from '../plans/plan.repository';
import { FollowUpFailovers } from './follow-up-failovers.service';
import { RePlacementService } from './re-placement.service';
import { TransactionHooks } from '../plans/transaction-hooks';

/** A lifecycle move applied to the plan as stored (approve, a driver event, supersede…). */
export type LifecycleChange = (plan: ExecutablePlan, now: string) => LifecycleResult;

export interface StepOutcome {
  plan: ExecutablePlan;
  previousState: PlanState;
  events: PlanTimelineEvent[];
  commands: DriverCommandV1[];
}

/** States in which `next()` may dispatch, and so must see every other plan's running actions. */
const DISPATCHING: ReadonlySet<PlanState> = new Set(['pending', 'running', 'rolling_back']);

const unchanged = (plan: ExecutablePlan): LifecycleResult => ({
  plan,
  events: [],
  commands: [],
  inventoryChanges: [],
});

/**
 * Applies lifecycle results to the database, one transaction per step with the plan row locked:
 * the plan and its actions, the timeline, the driver commands and Plan events (through the outbox)
 * and the inventory changes of succeeded actions all commit together or not at all. So a crash
 * anywhere leaves either the step done, commands queued for the relay, or nothing; and since a
 * dispatched action is `running` in the same commit that queued its command, no later step can
 * dispatch the same attempt again.
 */
@Injectable()
export class PlanExecutor {
  private readonly logger = new Logger('plans');

  constructor(
    private readonly plans: PlanRepository,
    private readonly outbox: OutboxRepository,
    private readonly inventory: InventoryService,
    private readonly machine: PlanStateMachine,
    private readonly hooks: TransactionHooks,
    private readonly relay: OutboxRelay,
    private readonly metrics: PlanMetrics,
    private readonly rePlacement: RePlacementService,
    private readonly followUps: FollowUpFailovers,
    private readonly signals: PlanSignals,
  ) {}

  /** Stores a new plan with its first timeline lines, then takes its first step (an auto plan starts). */
  async start(
    manager: EntityManager,
    plan: ExecutablePlan,
    events: PlanTimelineEvent[],
    resources: string[],
  ): Promise<StepOutcome> {
    await this.plans.insert(manager, plan, resources);
    await this.plans.lock(manager, plan.id);
    this.hooks.afterCommit(manager, () => {
      this.metrics.created(plan);
      this.logger.log(planCreatedLine(plan));
    });
    const now = new Date().toISOString();
    return this.apply(manager, plan, { ...unchanged(plan), events }, now);
  }

  /**
   * Locks the plan, applies `change` (if any) and then `next()`, which dispatches whatever is ready
   * and enforces deadlines. With `skipLocked`, a plan another transaction is stepping is skipped
   * (null): that transaction's own `next()` covers it.
   */
  async step(
    manager: EntityManager,
    planId: string,
    change?: LifecycleChange,
    options: { skipLocked?: boolean } = {},
  ): Promise<StepOutcome | null> {
    if (!(await this.plans.lock(manager, planId, options))) {
      if (options.skipLocked) return null;
      throw new NotFoundError('plan', planId);
    }
    const before = await this.plans.load(manager, planId);
    if (!before) throw new NotFoundError('plan', planId);
    const now = new Date().toISOString();
    if (!change) return this.apply(manager, before, unchanged(before), now);
    const result = change(before, now);
    // A change that moved no state (progress, accepted, a stale event) cannot make anything
    // ready: skip next() and with it the global dispatch lock, which progress reports would
    // otherwise take once a second per running action. Deadlines are the tick's job.
    const quiet = result.events.length === 0 && result.commands.length === 0;
    return this.apply(manager, before, result, now, !quiet);
  }

  private async apply(
    manager: EntityManager,
    before: ExecutablePlan,
    first: LifecycleResult,
    now: string,
    advance = true,
  ): Promise<StepOutcome> {
    let result = first;
    if (advance && DISPATCHING.has(result.plan.state)) {
      // Before DISPATCH: re-placement may take PLANNING, which comes first in the lock order.
      const destinations = await this.rePlacement.destinationsFor(manager, result.plan);
      await lockDispatch(manager);
      const others = await this.plans.runningActionsExcept(manager, before.id);
      const next = this.machine.next(result.plan, now, others, destinations);
      result = {
        plan: next.plan,
        events: [...result.events, ...next.events],
        commands: [...result.commands, ...next.commands],
        inventoryChanges: [...result.inventoryChanges, ...next.inventoryChanges],
      };
    }
    const deadlines = new Map(
      result.commands.filter((c) => c.kind === 'execute').map((c) => [c.actionId, c.deadline]),
    );
    await this.plans.save(manager, before, result.plan, deadlines, now);
    await this.plans.appendEvents(manager, result.events);
    const messages = [
      ...planEventMessages(result.plan, result.events),
      ...result.commands.map(commandMessage),
    ];
    if (messages.length > 0) {
      await this.outbox.enqueue(manager, messages);
      this.hooks.afterCommit(manager, this.relay.nudge);
    }
    await this.inventory.applyChanges(manager, result.inventoryChanges);
    await this.followUps.afterStep(manager, before, result.plan);
    const after = result.plan;
    const dispatched = result.commands.map((c) => ({
      kind: c.kind,
      actionId: c.actionId,
      attempt: c.attempt,
      type: c.type,
    }));
    const line = planSteppedLine(before, after, result.events, dispatched);
    this.hooks.afterCommit(manager, () => {
      this.metrics.stepped(before, after);
      if (line) this.logger.log(line);
    });
    if (isFinalPlanState(result.plan.state) && !isFinalPlanState(before.state)) {
      this.hooks.afterCommit(manager, this.notifyFinished);
    }
    const wasRunning = new Set(
      before.actions.filter((a) => a.state === 'running').map((a) => a.id),
    );
    if (result.plan.actions.some((a) => wasRunning.has(a.id) && a.state !== 'running')) {
      this.hooks.afterCommit(manager, this.notifySettled);
    }
    return {
      plan: result.plan,
      previousState: before.state,
      events: result.events,
      commands: result.commands,
    };
  }

  // Stable functions: TransactionHooks runs the same hook once per transaction.
  private readonly notifyFinished = (): void => this.signals.emit('plan.finished');
  private readonly notifySettled = (): void => this.signals.emit('actions.settled');
}
