import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { isRetriable } from '@reflex/common';
import { DeferredIntentRepository } from '../plans/deferred-intent.repository';
import { PlanLocks } from '../plans/plan-locks';
import { PlanSignals } from '../execution/plan-signals';
import { PlanningService } from './planning.service';

/**
 * Decisions that wait for live plans (the conflict policy's `wait`) are planned again, in the order
 * they arrived, once their holders have finished: right after the commit of the step that finished
 * a plan, and on every tick (which also covers a crash between that commit and this).
 */
@Injectable()
export class WaitingIntentsService implements OnModuleInit {
  private readonly logger = new Logger('waiting-intents');
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly deferred: DeferredIntentRepository,
    private readonly planning: PlanningService,
    private readonly signals: PlanSignals,
    private readonly locks: PlanLocks,
  ) {}

  onModuleInit(): void {
    this.signals.on('plan.finished', () => this.schedule());
    this.signals.on('follow-up.queued', () => this.schedule());
  }

  /** Runs `replanReady` soon, once at a time; a request during a run makes one more run. */
  schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.replanReady()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.warn(`re-planning waiting decisions failed: ${(error as Error).message}`);
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
  }

  /** Waits for a run in progress (shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Plans ready waiting decisions one per transaction, oldest first, each under the planning lock,
   * until none is ready or another replica holds the lock (it drains the queue; a decision that
   * became ready just after its last look is planned at the next tick). Returns how many were
   * planned (or waited again on other plans).
   */
  async replanReady(): Promise<number> {
    let count = 0;
    for (;;) {
      const found = await this.uow.transaction(async () => {
        if (!(await this.locks.tryPlanning())) return null;
        const next = await this.deferred.nextReady();
        if (!next) return null;
        try {
          await this.uow.manager.query('SAVEPOINT replan');
          const outcome = await this.planning.plan(next.intent, next.id);
          await this.uow.manager.query('RELEASE SAVEPOINT replan');
          return outcome.state;
        } catch (error) {
          // A decision that cannot be planned any more (its rule's params no longer make sense)
          // must not block the queue behind it; one that failed for a passing reason is retried.
          if (isRetriable(error)) throw error;
          await this.uow.manager.query('ROLLBACK TO SAVEPOINT replan');
          const reason = `could not be planned: ${(error as Error).message}`;
          await this.deferred.resolve(next.id, 'error', null, reason);
          return 'error';
        }
      });
      if (found === null) return count;
      this.logger.log(`waiting decision planned again: ${found}`);
      count += 1;
    }
  }
}
