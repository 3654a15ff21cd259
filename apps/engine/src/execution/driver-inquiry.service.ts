import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import type { ActionParams, ActionType } from '@reflex/contracts/plan.v1';
import { OutboxRepository, UnitOfWork } from '@reflex/persistence';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { commandMessage } from '../outbox/plan-messages';
import { PlanRepository } from '../plans/plan.repository';

interface AskedRow {
  id: string;
  plan_id: string;
  type: ActionType;
  params: ActionParams;
  attempts: number;
  deadline: Date | null;
}

/**
 * Asks the driver about running actions the engine has heard nothing final about for
 * ACTION_INQUIRY_SECONDS, by sending their execute command again for the same attempt. The driver
 * is idempotent per attempt: it re-publishes a final event it recorded (one the engine missed),
 * takes the action over from a replica that is gone, starts an attempt it never received, or, when
 * the action is running, ignores it. Driver events can go missing from the engine's point of view
 * (a consumer cut off, a driver replica lost mid-report); without asking, such an action waited for
 * its deadline, tens of minutes for a migration (issue 13). The deadline stays the last resort.
 *
 * Each plan is asked about under its row lock, as every other writer of its commands does, so the
 * outbox keeps one action's commands in order; a plan being stepped is skipped until the next tick.
 */
@Injectable()
export class DriverInquiry {
  private readonly logger = new Logger('plans');

  constructor(
    private readonly uow: UnitOfWork,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly plans: PlanRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /** Asks about every running action silent for longer than the interval; returns how many. */
  async askSilent(isStopping: () => boolean = () => false): Promise<number> {
    const seconds = this.config.actionInquirySeconds;
    const candidates = await this.dataSource.query<{ plan_id: string }[]>(
      `SELECT DISTINCT a.plan_id FROM actions a
       WHERE a.state = 'running'
         AND coalesce(a.asked_at, a.started_at) < now() - make_interval(secs => $1)
       LIMIT 1000`,
      [seconds],
    );
    let asked = 0;
    for (const { plan_id: planId } of candidates) {
      if (isStopping()) break;
      asked += await this.uow.transaction(async () => {
        if (!(await this.plans.lock(planId, { skipLocked: true }))) return 0;
        const rows = await this.uow.manager.query<[AskedRow[], number]>(
          `UPDATE actions a SET asked_at = now()
           WHERE a.plan_id = $1 AND a.state = 'running'
             AND coalesce(a.asked_at, a.started_at) < now() - make_interval(secs => $2)
           RETURNING a.id, a.plan_id, a.type, a.params, a.attempts, a.deadline`,
          [planId, seconds],
        );
        const actions = rows[0];
        if (actions.length === 0) return 0;
        await this.outbox.enqueue(actions.map((row) => commandMessage(execute(row))));
        this.uow.afterCommit(this.relay.nudge);
        this.uow.afterCommit(() =>
          this.logger.log({
            msg: `asked the driver about ${actions.length} silent running action(s)`,
            planId,
            actions: actions.map((a) => ({ actionId: a.id, type: a.type, attempt: a.attempts })),
            silentForSeconds: seconds,
          }),
        );
        return actions.length;
      });
    }
    return asked;
  }
}

function execute(row: AskedRow): DriverCommandV1 {
  return {
    kind: 'execute',
    actionId: row.id,
    planId: row.plan_id,
    attempt: row.attempts,
    type: row.type,
    params: row.params,
    // Always set at dispatch; the fallback only keeps the command valid for a row written otherwise.
    deadline: (row.deadline ?? new Date()).toISOString(),
  };
}
