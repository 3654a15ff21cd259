import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '@reflex/common';
import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { type Actor, type ExecutablePlan, PlanStateMachine } from '@reflex/domain';
import { ProcessedMessageRepository, UnitOfWork } from '@reflex/persistence';
import { type LifecycleChange, PlanExecutor } from './plan-executor.service';
import { PlanRepository } from '../plans/plan.repository';

export const DRIVER_EVENTS_CONSUMER = 'reflex-engine.driver-events';

/**
 * The writes that move a running system along: operators' approve, cancel, abort and
 * force-complete, and the driver's reports. Each is one step of the plan (its row locked), after
 * which the plan advances as far as it can (`next()`).
 */
@Injectable()
export class PlanCommandsService {
  private readonly logger = new Logger('plan-commands');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly plans: PlanRepository,
    private readonly executor: PlanExecutor,
    private readonly machine: PlanStateMachine,
    private readonly processed: ProcessedMessageRepository,
  ) {}

  approve(planId: string, actor: Actor = {}): Promise<ExecutablePlan> {
    return this.onPlan(planId, (plan, now) => this.machine.approve(plan, now, actor));
  }

  cancel(planId: string, actor: Actor = {}): Promise<ExecutablePlan> {
    return this.onPlan(planId, (plan, now) => this.machine.cancel(plan, now, actor));
  }

  abort(actionId: string, actor: Actor = {}): Promise<ExecutablePlan> {
    return this.onAction(actionId, (plan, now) => this.machine.abort(plan, actionId, now, actor));
  }

  forceComplete(actionId: string, actor: Actor = {}): Promise<ExecutablePlan> {
    return this.onAction(actionId, (plan, now) =>
      this.machine.forceComplete(plan, actionId, now, actor),
    );
  }

  /**
   * One driver event, at most once: its identity is recorded in the same transaction as its effect.
   * Redeliveries with another identity (a driver that re-sent) are stale or repeated statuses, which
   * the state machine ignores.
   */
  async recordDriverEvent(event: DriverEventV1): Promise<void> {
    const id = `${event.actionId}/${event.attempt}/${event.status}/${event.progress ?? ''}/${event.at}`;
    await this.uow.transaction(async () => {
      if (!(await this.processed.markProcessed(DRIVER_EVENTS_CONSUMER, id))) return;
      const planId = await this.plans.planIdOfAction(event.actionId);
      if (!planId) {
        this.logger.warn(`driver event for unknown action ${event.actionId}; ignored`);
        return;
      }
      await this.executor.step(planId, (plan, now) => {
        const outcome = this.machine.onDriverEvent(plan, event, now);
        if (outcome.ignored) this.logger.debug(`driver event ignored: ${outcome.ignored}`);
        return outcome;
      });
    });
  }

  private onPlan(planId: string, change: LifecycleChange): Promise<ExecutablePlan> {
    return this.uow.transaction(async () => (await this.step(planId, change)).plan);
  }

  private onAction(actionId: string, change: LifecycleChange): Promise<ExecutablePlan> {
    return this.uow.transaction(async () => {
      const planId = await this.plans.planIdOfAction(actionId);
      if (!planId) throw new NotFoundError('action', actionId);
      return (await this.step(planId, change)).plan;
    });
  }

  private async step(planId: string, change: LifecycleChange) {
    const outcome = await this.executor.step(planId, change);
    if (!outcome) throw new NotFoundError('plan', planId);
    return outcome;
  }
}
