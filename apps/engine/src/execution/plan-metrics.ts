import { Injectable } from '@nestjs/common';
import { FINAL_PLAN_STATES, PLAN_STATES } from '@reflex/contracts/plan.v1';
import { isFinalPlanState, type ExecutablePlan } from '@reflex/domain';
import { MetricsRegistry } from '@reflex/platform';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';

const FINAL_ACTION_STATES = new Set(['succeeded', 'failed', 'aborted']);
const OPEN_PLAN_STATES = PLAN_STATES.filter((s) => !FINAL_PLAN_STATES.includes(s));

/** Plans and actions as Prometheus sees them; recorded after the step that caused them commits. */
@Injectable()
export class PlanMetrics {
  private readonly plansCreated: Counter<'policy' | 'state'>;
  private readonly plansFinished: Counter<'policy' | 'state'>;
  private readonly actionSeconds: Histogram<'type' | 'state'>;

  constructor(metrics: MetricsRegistry, dataSource: DataSource) {
    const registers = [metrics.registry];
    this.plansCreated = new Counter({
      name: 'reflex_plans_created_total',
      help: 'Plans created, by policy and first state (blocked plans included)',
      labelNames: ['policy', 'state'],
      registers,
    });
    this.plansFinished = new Counter({
      name: 'reflex_plans_finished_total',
      help: 'Plans that reached a final state, by policy and state',
      labelNames: ['policy', 'state'],
      registers,
    });
    this.actionSeconds = new Histogram({
      name: 'reflex_action_duration_seconds',
      help: 'From dispatch to the final driver event, by action type and outcome',
      labelNames: ['type', 'state'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    });
    new Gauge({
      name: 'reflex_plans_open',
      help: 'Plans not finished, by state: pending_approval waits for an operator',
      labelNames: ['state'],
      registers,
      async collect() {
        const rows: Array<{ state: string; n: number }> = await dataSource.query(
          `SELECT state, count(*)::int AS n FROM plans WHERE state = ANY($1::text[]) GROUP BY state`,
          [OPEN_PLAN_STATES],
        );
        // Every state every time: a series that vanishes at 0 reads as "no data", not "none".
        for (const state of OPEN_PLAN_STATES) {
          this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
        }
      },
    });
    new Gauge({
      name: 'reflex_outbox_backlog',
      help: 'Messages committed to the outbox and not yet published to Kafka',
      registers,
      async collect() {
        const rows: Array<{ n: number }> = await dataSource.query(
          `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
        );
        this.set(rows[0]?.n ?? 0);
      },
    });
  }

  created(plan: ExecutablePlan): void {
    this.plansCreated.inc({ policy: plan.policy, state: plan.state });
  }

  /** What a step changed between `before` and `after`. */
  stepped(before: ExecutablePlan, after: ExecutablePlan): void {
    if (isFinalPlanState(after.state) && !isFinalPlanState(before.state)) {
      this.plansFinished.inc({ policy: after.policy, state: after.state });
    }
    const previous = new Map(before.actions.map((a) => [a.id, a.state]));
    for (const action of after.actions) {
      if (previous.get(action.id) !== 'running' || !FINAL_ACTION_STATES.has(action.state)) continue;
      if (!action.startedAt || !action.finishedAt) continue;
      const seconds = (Date.parse(action.finishedAt) - Date.parse(action.startedAt)) / 1000;
      this.actionSeconds.observe({ type: action.type, state: action.state }, Math.max(0, seconds));
    }
  }
}
