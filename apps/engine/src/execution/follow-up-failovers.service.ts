import { Injectable, Logger } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import type { PlanState } from '@reflex/contracts/plan.v1';
import {
  arrivals,
  isFinalPlanState,
  lateArrivalFollowUp,
  secondChance,
  type Arrival,
  type ExecutablePlan,
  type PlanIntent,
  type StoredFailover,
} from '@reflex/domain';
import { DeferredIntentRepository } from '../plans/deferred-intent.repository';
import type { PlanRow } from '../plans/plan-rows';
import { PlanSignals } from './plan-signals';

type FailoverRow = Pick<PlanRow, 'id' | 'state' | 'mode' | 'on_failure'> & {
  trigger_alarm_id: string;
  trigger_source: string;
  trigger_rule: string;
  trigger_rule_version: number;
  trigger_rule_hash: string;
  alarm_type: string | null;
  params: Record<string, unknown> | null;
  explanation: unknown;
  state: PlanState;
};

/**
 * Failovers the engine queues by itself, with the decisions that wait for live plans, in the step
 * that calls for them (so they commit with it or not at all):
 * - instances that arrive on a host after its failover was planned (`lateArrivalFollowUp`), in the
 *   step that records the move's success; planned once that failover and the moving plan finish;
 * - a failover that ended failed or rolled back with instances still down on its host
 *   (`secondChance`), planned once more at once.
 */
@Injectable()
export class FollowUpFailovers {
  private readonly logger = new Logger('plans');

  constructor(
    private readonly uow: UnitOfWork,
    private readonly deferred: DeferredIntentRepository,
    private readonly signals: PlanSignals,
  ) {}

  async afterStep(before: ExecutablePlan, after: ExecutablePlan): Promise<void> {
    const byHost = new Map<string, Arrival[]>();
    for (const arrival of arrivals(before, after)) {
      byHost.set(arrival.hostId, [...(byHost.get(arrival.hostId) ?? []), arrival]);
    }
    for (const [hostId, arrived] of byHost) {
      const followUp = lateArrivalFollowUp(
        await this.latestFailover(hostId),
        await this.hostStatus(hostId),
        arrived,
      );
      if (followUp) await this.queue(hostId, followUp.intent, followUp.waitFor, followUp.reason);
    }
    const finishedNow = isFinalPlanState(after.state) && !isFinalPlanState(before.state);
    if (finishedNow && after.policy === 'host-failover' && after.target.kind === 'host') {
      const hostId = after.target.id;
      const failover = await this.latestFailover(hostId, after.id);
      if (!failover) return;
      const retry = secondChance(failover, hostId, await this.stillDown(hostId));
      if (retry) await this.queue(hostId, retry.intent, [], retry.reason);
    }
  }

  /** One follow-up at a time per host: it covers everything on the host when it is planned. */
  private async queue(
    hostId: string,
    intent: PlanIntent,
    waitFor: string[],
    reason: string,
  ): Promise<void> {
    if (await this.alreadyQueued(hostId)) return;
    await this.deferred.add(intent, waitFor, reason);
    this.uow.afterCommit(() => {
      this.logger.log({ msg: 'follow-up failover queued', hostId, reason });
      this.signals.emit('follow-up.queued');
    });
  }

  /** The host's latest failover, or the one given. */
  private async latestFailover(
    hostId: string,
    planId?: string,
  ): Promise<(StoredFailover & { explanation: unknown }) | null> {
    const [row] = await this.uow.manager.query<FailoverRow[]>(
      `SELECT p.id, p.state, p.mode, p.on_failure, p.trigger_alarm_id, p.trigger_source,
              p.trigger_rule, p.trigger_rule_version, p.trigger_rule_hash, p.explanation,
              p.explanation->'alarm'->>'type' AS alarm_type, p.explanation->'params' AS params
         FROM plans p
        WHERE p.policy = 'host-failover' AND p.target_kind = 'host' AND p.target_id = $1
          AND ($2::uuid IS NULL OR p.id = $2::uuid)
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT 1`,
      [hostId, planId ?? null],
    );
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      mode: row.mode,
      onFailure: row.on_failure,
      rule: {
        name: row.trigger_rule,
        version: row.trigger_rule_version,
        hash: row.trigger_rule_hash,
      },
      alarm: {
        id: row.trigger_alarm_id,
        source: row.trigger_source,
        type: row.alarm_type ?? 'host.down',
      },
      params: row.params ?? {},
      explanation: row.explanation,
    };
  }

  /** Instances on the host that are not running, or all of them when the host is down. */
  private async stillDown(hostId: string): Promise<string[]> {
    const rows = await this.uow.manager.query<{ id: string }[]>(
      `SELECT i.id FROM instances i JOIN hosts h ON h.id = i.host_id
        WHERE i.host_id = $1 AND (h.status = 'down' OR i.state <> 'running')
        ORDER BY i.id`,
      [hostId],
    );
    return rows.map((r) => r.id);
  }

  private async hostStatus(hostId: string): Promise<string | undefined> {
    const [row] = await this.uow.manager.query<{ status: string }[]>(
      `SELECT status FROM hosts WHERE id = $1`,
      [hostId],
    );
    return row?.status;
  }

  private async alreadyQueued(hostId: string): Promise<boolean> {
    const rows = await this.uow.manager.query<unknown[]>(
      `SELECT 1 FROM deferred_intents
        WHERE resolved_at IS NULL AND policy = 'host-failover'
          AND target_kind = 'host' AND target_id = $1
        LIMIT 1`,
      [hostId],
    );
    return rows.length > 0;
  }
}
