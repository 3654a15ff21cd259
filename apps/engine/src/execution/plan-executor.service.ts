import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@reflex/common';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import type { ActionV1, PlanState } from '@reflex/contracts/plan.v1';
import {
  isFinalPlanState,
  type InventoryView,
  type RunningIndex,
  PlanStateMachine,
  type ExecutablePlan,
  type LifecycleResult,
  type PlanTimelineEvent,
} from '@reflex/domain';
import { OutboxRepository, type OutboxMessage, UnitOfWork } from '@reflex/persistence';
import { InventoryService } from '../inventory/inventory.service';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { planCreatedLine, planSteppedLine } from './plan-log';
import { PlanMetrics } from './plan-metrics';
import { PlanLocks } from '../plans/plan-locks';
import { commandMessage, planEventMessages } from '../outbox/plan-messages';
import { PlanSignals } from './plan-signals';
import { PlanRepository, type NewPlanRow } from '../plans/plan.repository';
import { RunningActions } from './running-actions';
import { FollowUpFailovers } from './follow-up-failovers.service';
import { RePlacementService } from './re-placement.service';

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

/** A new plan's first step, worked out by `firstStep` and not stored yet. */
export interface NewPlanStep {
  /** The plan as built, before its first step. */
  before: ExecutablePlan;
  result: LifecycleResult;
  row: NewPlanRow;
  outcome: StepOutcome;
}

const deadlinesOf = (result: LifecycleResult): Map<string, string> =>
  new Map(result.commands.filter((c) => c.kind === 'execute').map((c) => [c.actionId, c.deadline]));

const messagesOf = (result: LifecycleResult): OutboxMessage[] => [
  ...planEventMessages(result.plan, result.events),
  ...result.commands.map(commandMessage),
];

const outcomeOf = (before: ExecutablePlan, result: LifecycleResult): StepOutcome => ({
  plan: result.plan,
  previousState: before.state,
  events: result.events,
  commands: result.commands,
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
    private readonly uow: UnitOfWork,
    private readonly locks: PlanLocks,
    private readonly plans: PlanRepository,
    private readonly outbox: OutboxRepository,
    private readonly inventory: InventoryService,
    private readonly machine: PlanStateMachine,
    private readonly relay: OutboxRelay,
    private readonly metrics: PlanMetrics,
    private readonly rePlacement: RePlacementService,
    private readonly followUps: FollowUpFailovers,
    private readonly signals: PlanSignals,
  ) {}

  /**
   * A new plan's first step, worked out but not stored (`storeNew` stores it, with others of the
   * batch): nothing else can see the plan before its transaction commits, so it needs no row lock,
   * and it is inserted as the step left it rather than inserted and then updated. `running` is the
   * batch's view of the running actions of the plan's cell (`runningActions`).
   */
  async firstStep(
    plan: ExecutablePlan,
    events: PlanTimelineEvent[],
    resources: string[],
    running: RunningActions,
    view?: InventoryView,
  ): Promise<NewPlanStep> {
    const now = new Date().toISOString();
    const first = { ...unchanged(plan), events };
    const others = () => running.except(plan.id);
    const result = await this.advance(plan, first, now, others, view);
    running.stepped(result.plan);
    const deadlines = deadlinesOf(result);
    return {
      row: { plan: result.plan, resources, deadlines },
      result,
      outcome: outcomeOf(plan, result),
      before: plan,
    };
  }

  /** The running actions a batch's `firstStep`s in `cell` share: its DISPATCH and one read, on first use. */
  runningActions(cell: string): RunningActions {
    return new RunningActions(async () => {
      await this.locks.dispatch(cell);
      return this.plans.runningActionsExcept(null);
    });
  }

  /**
   * Stores new plans' first steps with one statement per table, then what follows each step as
   * `step` would: inventory changes, follow-ups, metrics, logs and signals after commit.
   */
  async storeNew(steps: readonly NewPlanStep[]): Promise<void> {
    if (steps.length === 0) return;
    await this.plans.insertMany(steps.map((s) => s.row));
    for (const { before } of steps) {
      this.uow.afterCommit(() => {
        this.metrics.created(before);
        this.logger.log(planCreatedLine(before));
      });
    }
    await this.plans.appendEvents(steps.flatMap((s) => s.result.events));
    await this.enqueue(steps.flatMap((s) => messagesOf(s.result)));
    for (const { before, result } of steps) await this.after(before, result);
  }

  /**
   * Locks the plan, applies `change` (if any) and then `next()`, which dispatches whatever is ready
   * and enforces deadlines. With `skipLocked`, a plan another transaction is stepping is skipped
   * (null): that transaction's own `next()` covers it.
   */
  async step(
    planId: string,
    change?: LifecycleChange,
    options: { skipLocked?: boolean } = {},
  ): Promise<StepOutcome | null> {
    const cell = await this.plans.lockInCell(planId, options);
    if (cell === null) {
      if (options.skipLocked) return null;
      throw new NotFoundError('plan', planId);
    }
    const before = await this.plans.load(planId);
    if (!before) throw new NotFoundError('plan', planId);
    const now = new Date().toISOString();
    if (!change) return this.apply(cell, before, unchanged(before), now);
    const result = change(before, now);
    // A change that moved no state (progress, accepted, a stale event) cannot make anything
    // ready: skip next() and with it the global dispatch lock, which progress reports would
    // otherwise take once a second per running action. Deadlines are the tick's job.
    const quiet = result.events.length === 0 && result.commands.length === 0;
    return this.apply(cell, before, result, now, !quiet);
  }

  private async apply(
    cell: string,
    before: ExecutablePlan,
    first: LifecycleResult,
    now: string,
    advance = true,
  ): Promise<StepOutcome> {
    const others = async () => {
      await this.locks.dispatch(cell);
      return this.plans.runningActionsExcept(before.id);
    };
    const result = advance ? await this.advance(before, first, now, others) : first;
    await this.plans.save(before, result.plan, deadlinesOf(result), now);
    await this.plans.appendEvents(result.events);
    await this.enqueue(messagesOf(result));
    await this.after(before, result);
    return outcomeOf(before, result);
  }

  /**
   * `next()` after `first`, for a plan in a state that dispatches: whatever is ready, deadlines.
   * `others`: every other plan's running actions, read under the cell's DISPATCH.
   */
  private async advance(
    before: ExecutablePlan,
    first: LifecycleResult,
    now: string,
    others: () => Promise<readonly ActionV1[] | RunningIndex>,
    view?: InventoryView,
  ): Promise<LifecycleResult> {
    if (!DISPATCHING.has(first.plan.state)) return first;
    // Before DISPATCH: re-placement may take the cell's lock, which comes first in the lock order.
    const destinations = await this.rePlacement.destinationsFor(first.plan, view);
    const next = this.machine.next(first.plan, now, await others(), destinations);
    return {
      plan: next.plan,
      events: [...first.events, ...next.events],
      commands: [...first.commands, ...next.commands],
      inventoryChanges: [...first.inventoryChanges, ...next.inventoryChanges],
    };
  }

  private async enqueue(messages: OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.outbox.enqueue(messages);
    this.uow.afterCommit(this.relay.nudge);
  }

  /** What follows a stored step: inventory, follow-ups, and after commit its log line and signals. */
  private async after(before: ExecutablePlan, result: LifecycleResult): Promise<void> {
    await this.inventory.applyChanges(result.inventoryChanges);
    await this.followUps.afterStep(before, result.plan);
    const after = result.plan;
    const dispatched = result.commands.map((c) => ({
      kind: c.kind,
      actionId: c.actionId,
      attempt: c.attempt,
      type: c.type,
    }));
    const line = planSteppedLine(before, after, result.events, dispatched);
    this.uow.afterCommit(() => {
      this.metrics.stepped(before, after);
      if (line) this.logger.log(line);
    });
    if (isFinalPlanState(after.state) && !isFinalPlanState(before.state)) {
      this.uow.afterCommit(this.notifyFinished);
    }
    const wasRunning = new Set(
      before.actions.filter((a) => a.state === 'running').map((a) => a.id),
    );
    if (after.actions.some((a) => wasRunning.has(a.id) && a.state !== 'running')) {
      this.uow.afterCommit(this.notifySettled);
    }
  }

  // Stable functions: the unit of work runs the same hook once per transaction.
  private readonly notifyFinished = (): void => this.signals.emit('plan.finished');
  private readonly notifySettled = (): void => this.signals.emit('actions.settled');
}
