import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { PlanStateMachine } from '@reflex/domain';
import { DriverInquiry } from './driver-inquiry.service';
import { PlanExecutor } from './plan-executor.service';
import { PlanSignals } from './plan-signals';
import { DuePlansRepository } from './due-plans.repository';

export const PLAN_TICK_MS = Symbol('PLAN_TICK_MS');

/**
 * Decisions waiting for live plans, planned again on every tick (WaitingIntentsService, in
 * planning): a port here, so that execution does not import the stage before it.
 */
export interface WaitingDecisions {
  replanReady(): Promise<number>;
  idle(): Promise<void>;
}
export const WAITING_DECISIONS = Symbol('WAITING_DECISIONS');
const DEFAULT_TICK_MS = 1000;

/**
 * Time-driven steps. At start-up every unfinished plan is stepped once (resume after a crash or a
 * restart: ready actions are dispatched, overdue ones failed; running ones wait for their driver
 * events, which Kafka redelivers from the last committed offset). Then, every tick, the plans whose
 * next step is due: deadlines, and actions held back by another plan's budget that may start now.
 * Plans another replica is stepping are skipped, not waited for. A step that freed a running
 * action's instances and migration slot brings the next tick forward.
 */
@Injectable()
export class PlanTicker implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('plan-ticker');
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopping = false;
  private started = false;
  private soon = false;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly due: DuePlansRepository,
    private readonly executor: PlanExecutor,
    private readonly machine: PlanStateMachine,
    @Inject(WAITING_DECISIONS) private readonly waiting: WaitingDecisions,
    private readonly inquiry: DriverInquiry,
    private readonly signals: PlanSignals,
    @Optional() @Inject(PLAN_TICK_MS) tickMs?: number,
  ) {
    this.tickMs = tickMs ?? DEFAULT_TICK_MS;
  }

  onModuleInit(): void {
    this.signals.on('actions.settled', () => this.nudge());
  }

  onApplicationBootstrap(): void {
    this.running = this.resume()
      .then(() => undefined)
      .finally(() => {
        this.running = null;
        this.started = true;
        this.schedule();
      });
  }

  /** Ticks at once (after the tick under way, if any) instead of waiting for the interval. */
  nudge(): void {
    if (!this.started || this.stopping) return;
    if (this.running) this.soon = true;
    else this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
    await this.waiting.idle();
  }

  /** Steps every unfinished plan once; returns how many were stepped. */
  async resume(): Promise<number> {
    try {
      const ids = await this.due.listUnfinishedIds();
      const stepped = await this.stepAll(ids);
      if (ids.length > 0) this.logger.log(`resumed ${stepped} of ${ids.length} unfinished plan(s)`);
      await this.waiting.replanReady();
      return stepped;
    } catch (error) {
      this.logger.warn(`resuming plans failed, the next tick retries: ${(error as Error).message}`);
      return 0;
    }
  }

  /**
   * One tick: the plans whose next step is due, then waiting decisions whose holders finished, then
   * the driver asked about running actions it has been silent on.
   */
  async tick(): Promise<void> {
    const ids = await this.due.listDueIds(this.machine.limits.deadlineGraceSeconds);
    await this.stepAll(ids);
    await this.waiting.replanReady();
    await this.inquiry.askSilent(() => this.stopping);
  }

  private async stepAll(ids: readonly string[]): Promise<number> {
    let stepped = 0;
    for (const id of ids) {
      if (this.stopping) break;
      try {
        const outcome = await this.uow.transaction(() =>
          this.executor.step(id, undefined, { skipLocked: true }),
        );
        if (outcome) stepped += 1;
      } catch (error) {
        this.logger.warn(`step of plan ${id} failed: ${(error as Error).message}`);
      }
    }
    return stepped;
  }

  private schedule(delayMs = this.tickMs): void {
    if (this.stopping) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.soon = false;
      this.running = this.tick()
        .catch((error: unknown) => this.logger.warn(`tick failed: ${(error as Error).message}`))
        .finally(() => {
          this.running = null;
          this.schedule(this.soon ? 0 : this.tickMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
