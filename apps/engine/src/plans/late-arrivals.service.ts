import { Injectable, Logger } from '@nestjs/common';
import {
  arrivals,
  lateArrivalFollowUp,
  type Arrival,
  type ExecutablePlan,
  type StoredFailover,
} from '@reflex/domain';
import type { EntityManager } from 'typeorm';
import { DeferredIntentRepository } from './deferred-intent.repository';
import type { PlanRow } from './plan-rows';
import { PlanSignals } from './plan-signals';
import { TransactionHooks } from './transaction-hooks';

type FailoverRow = Pick<PlanRow, 'id' | 'state' | 'mode' | 'on_failure'> & {
  trigger_alarm_id: string;
  trigger_source: string;
  trigger_rule: string;
  trigger_rule_version: number;
  trigger_rule_hash: string;
  alarm_type: string | null;
  params: Record<string, unknown> | null;
};

/**
 * Instances that arrive on a host after its failover was planned (`lateArrivalFollowUp`): in the
 * step that records the move's success, a follow-up failover of that host is queued with the
 * decisions that wait for live plans, so it commits with the success or not at all, and is planned
 * once the first failover has finished (at once if it already has).
 */
@Injectable()
export class LateArrivals {
  private readonly logger = new Logger('plans');

  constructor(
    private readonly deferred: DeferredIntentRepository,
    private readonly hooks: TransactionHooks,
    private readonly signals: PlanSignals,
  ) {}

  async check(
    manager: EntityManager,
    before: ExecutablePlan,
    after: ExecutablePlan,
  ): Promise<void> {
    const byHost = new Map<string, Arrival[]>();
    for (const arrival of arrivals(before, after)) {
      byHost.set(arrival.hostId, [...(byHost.get(arrival.hostId) ?? []), arrival]);
    }
    for (const [hostId, arrived] of byHost) {
      const followUp = lateArrivalFollowUp(
        await this.latestFailover(manager, hostId),
        await this.hostStatus(manager, hostId),
        arrived,
      );
      if (!followUp || (await this.alreadyQueued(manager, hostId))) continue;
      await this.deferred.add(manager, followUp.intent, followUp.waitFor, followUp.reason);
      this.hooks.afterCommit(manager, () => {
        this.logger.log({ msg: 'follow-up failover queued', hostId, reason: followUp.reason });
        this.signals.emit('follow-up.queued');
      });
    }
  }

  private async latestFailover(
    manager: EntityManager,
    hostId: string,
  ): Promise<StoredFailover | null> {
    const [row] = await manager.query<FailoverRow[]>(
      `SELECT p.id, p.state, p.mode, p.on_failure, p.trigger_alarm_id, p.trigger_source,
              p.trigger_rule, p.trigger_rule_version, p.trigger_rule_hash,
              p.explanation->'alarm'->>'type' AS alarm_type, p.explanation->'params' AS params
         FROM plans p
        WHERE p.policy = 'host-failover' AND p.target_kind = 'host' AND p.target_id = $1
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT 1`,
      [hostId],
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
    };
  }

  private async hostStatus(manager: EntityManager, hostId: string): Promise<string | undefined> {
    const [row] = await manager.query<{ status: string }[]>(
      `SELECT status FROM hosts WHERE id = $1`,
      [hostId],
    );
    return row?.status;
  }

  /** One follow-up at a time per host: it covers everything on the host when it is planned. */
  private async alreadyQueued(manager: EntityManager, hostId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM deferred_intents
        WHERE resolved_at IS NULL AND policy = 'host-failover'
          AND target_kind = 'host' AND target_id = $1
        LIMIT 1`,
      [hostId],
    );
    return rows.length > 0;
  }
}
