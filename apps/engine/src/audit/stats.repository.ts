import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Seconds, summarised; every figure null when there is nothing to summarise. */
export interface Durations {
  count: number;
  mean: number | null;
  median: number | null;
  p95: number | null;
  max: number | null;
}

export interface OutcomeStats {
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
  /** Seconds from the triggering alarm's occurrence to plan success, approval wait included. */
  medianSecondsToSuccess: number | null;
  p95SecondsToSuccess: number | null;
  meanSecondsToSuccess: number | null;
  maxSecondsToSuccess: number | null;
  /**
   * Succeeded plans, from the alarm to success minus the time the plan waited for an operator's
   * approval: what the automation took, whoever was slow to approve.
   */
  recoverySeconds: Durations;
  /** Approved plans, from creation to approval: how long operators took. */
  approvalWaitSeconds: Durations;
}

export type PolicyStats = OutcomeStats & { policy: string };
export type RuleStats = OutcomeStats & { rule: string };

const SUMMARY = (column: string, where: string) => `
  count(*) FILTER (WHERE ${where})::int AS "${column}Count",
  avg(${column}) FILTER (WHERE ${where}) AS "${column}Mean",
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${column}) FILTER (WHERE ${where}) AS "${column}Median",
  percentile_cont(0.95) WITHIN GROUP (ORDER BY ${column}) FILTER (WHERE ${where}) AS "${column}P95",
  max(${column}) FILTER (WHERE ${where}) AS "${column}Max"`;

/** Outcome statistics per policy or per rule over plans created in [from, to). */
@Injectable()
export class StatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async perPolicy(from: Date, to: Date): Promise<PolicyStats[]> {
    return (await this.grouped('policy', from, to)).map(({ key, stats }) => ({
      policy: key,
      ...stats,
    }));
  }

  async perRule(from: Date, to: Date): Promise<RuleStats[]> {
    return (await this.grouped('trigger_rule', from, to)).map(({ key, stats }) => ({
      rule: key,
      ...stats,
    }));
  }

  private async grouped(
    by: 'policy' | 'trigger_rule',
    from: Date,
    to: Date,
  ): Promise<Array<{ key: string; stats: OutcomeStats }>> {
    const succeeded = `state = 'succeeded' AND alarm_at IS NOT NULL`;
    const rows: Array<Record<string, string | number | null>> = await this.dataSource.query(
      `WITH p AS (
         SELECT coalesce(p.${by}, '(none)') AS key, p.state, p.finished_at, p.created_at,
                (SELECT min(a.occurred_at) FROM alarms a WHERE a.plan_id = p.id AND a.disposition = 'triggered') AS alarm_at,
                (SELECT min(e.at) FROM plan_events e WHERE e.plan_id = p.id AND e.type = 'plan.state'
                    AND e.from_state = 'pending_approval' AND e.to_state = 'pending') AS approved_at
           FROM plans p
          WHERE p.created_at >= $1 AND p.created_at < $2),
       d AS (
         SELECT *, extract(epoch FROM finished_at - alarm_at)::float8 AS to_success,
                extract(epoch FROM approved_at - created_at)::float8 AS approval_wait,
                (extract(epoch FROM finished_at - alarm_at)
                  - coalesce(extract(epoch FROM approved_at - created_at), 0))::float8 AS recovery
           FROM p)
       SELECT key,
              count(*)::int AS plans,
              count(*) FILTER (WHERE state = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE state = 'failed')::int AS failed,
              count(*) FILTER (WHERE state = 'rolled_back')::int AS "rolledBack",
              count(*) FILTER (WHERE state = 'blocked')::int AS blocked,
              count(*) FILTER (WHERE state = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE state = 'superseded')::int AS superseded,
              count(*) FILTER (WHERE state IN ('pending_approval', 'pending', 'running', 'rolling_back'))::int AS live,
              ${SUMMARY('to_success', succeeded)},
              ${SUMMARY('recovery', succeeded)},
              ${SUMMARY('approval_wait', 'approved_at IS NOT NULL')}
         FROM d GROUP BY key ORDER BY key`,
      [from, to],
    );
    return rows.map((r) => {
      const decided =
        Number(r.succeeded) + Number(r.failed) + Number(r.rolledBack) + Number(r.blocked);
      const toSuccess = durations(r, 'to_success');
      return {
        key: String(r.key),
        stats: {
          plans: Number(r.plans),
          succeeded: Number(r.succeeded),
          failed: Number(r.failed),
          rolledBack: Number(r.rolledBack),
          blocked: Number(r.blocked),
          cancelled: Number(r.cancelled),
          superseded: Number(r.superseded),
          live: Number(r.live),
          successRate: decided > 0 ? Number(r.succeeded) / decided : null,
          medianSecondsToSuccess: toSuccess.median,
          p95SecondsToSuccess: toSuccess.p95,
          meanSecondsToSuccess: toSuccess.mean,
          maxSecondsToSuccess: toSuccess.max,
          recoverySeconds: durations(r, 'recovery'),
          approvalWaitSeconds: durations(r, 'approval_wait'),
        },
      };
    });
  }
}

function durations(row: Record<string, string | number | null>, column: string): Durations {
  const n = (suffix: string) => {
    const value = row[`${column}${suffix}`];
    return value === null || value === undefined ? null : Number(value);
  };
  return {
    count: Number(row[`${column}Count`]),
    mean: n('Mean'),
    median: n('Median'),
    p95: n('P95'),
    max: n('Max'),
  };
}
