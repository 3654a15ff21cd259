import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface PolicyStats {
  policy: string;
  plans: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  blocked: number;
  cancelled: number;
  superseded: number;
  live: number;
  /** succeeded / (plans that reached a final state other than cancelled or superseded); null if none. */
  successRate: number | null;
  /** Seconds from the triggering alarm's occurrence to plan success. */
  medianSecondsToSuccess: number | null;
  p95SecondsToSuccess: number | null;
}

/** Outcome statistics per policy over plans created in [from, to). */
@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async perPolicy(from: Date, to: Date): Promise<PolicyStats[]> {
    const rows: Array<Record<string, string | number | null>> = await this.dataSource.query(
      `WITH p AS (
         SELECT p.policy, p.state, p.finished_at,
                (SELECT min(a.occurred_at) FROM alarms a WHERE a.plan_id = p.id AND a.disposition = 'triggered') AS alarm_at
           FROM plans p
          WHERE p.created_at >= $1 AND p.created_at < $2)
       SELECT policy,
              count(*)::int AS plans,
              count(*) FILTER (WHERE state = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE state = 'failed')::int AS failed,
              count(*) FILTER (WHERE state = 'rolled_back')::int AS "rolledBack",
              count(*) FILTER (WHERE state = 'blocked')::int AS blocked,
              count(*) FILTER (WHERE state = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE state = 'superseded')::int AS superseded,
              count(*) FILTER (WHERE state IN ('pending_approval', 'pending', 'running', 'rolling_back'))::int AS live,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - alarm_at))
                FILTER (WHERE state = 'succeeded' AND alarm_at IS NOT NULL) AS median,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - alarm_at))
                FILTER (WHERE state = 'succeeded' AND alarm_at IS NOT NULL) AS p95
         FROM p GROUP BY policy ORDER BY policy`,
      [from, to],
    );
    return rows.map((r) => {
      const decided =
        Number(r.succeeded) + Number(r.failed) + Number(r.rolledBack) + Number(r.blocked);
      return {
        policy: String(r.policy),
        plans: Number(r.plans),
        succeeded: Number(r.succeeded),
        failed: Number(r.failed),
        rolledBack: Number(r.rolledBack),
        blocked: Number(r.blocked),
        cancelled: Number(r.cancelled),
        superseded: Number(r.superseded),
        live: Number(r.live),
        successRate: decided > 0 ? Number(r.succeeded) / decided : null,
        medianSecondsToSuccess: r.median === null ? null : Number(r.median),
        p95SecondsToSuccess: r.p95 === null ? null : Number(r.p95),
      };
    });
  }
}
