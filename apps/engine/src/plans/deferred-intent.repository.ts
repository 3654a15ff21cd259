import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import type { PlanIntent } from '@reflex/domain';
import { LIVE_STATES_SQL } from './plan-rows';

export interface DeferredIntent {
  id: string;
  intent: PlanIntent;
  waitingFor: string[];
}

/** All SQL over `deferred_intents`: decisions waiting for the live plans that hold their resources. */
@Injectable()
export class DeferredIntentRepository {
  constructor(private readonly uow: UnitOfWork) {}

  async add(intent: PlanIntent, waitingFor: readonly string[], reason: string): Promise<string> {
    const rows = await this.uow.manager.query<{ id: string }[]>(
      `INSERT INTO deferred_intents (policy, target_kind, target_id, intent, waiting_for, reason)
       VALUES ($1, $2, $3, $4::jsonb, $5::uuid[], $6)
       RETURNING id`,
      [
        intent.policy,
        intent.target.kind,
        intent.target.id,
        JSON.stringify(intent),
        waitingFor,
        reason,
      ],
    );
    return rows[0].id;
  }

  /** Planned again and still waiting (for other plans, perhaps): it keeps its place in the queue. */
  async waitAgain(id: string, waitingFor: readonly string[], reason: string): Promise<void> {
    await this.uow.manager.query(
      `UPDATE deferred_intents SET waiting_for = $2::uuid[], reason = $3 WHERE id = $1`,
      [id, waitingFor, reason],
    );
  }

  /** What became of it: a plan state, `merged`, or `error` (with the reason). */
  async resolve(
    id: string,
    outcome: string,
    planId: string | null,
    reason?: string,
  ): Promise<void> {
    await this.uow.manager.query(
      `UPDATE deferred_intents
       SET resolved_at = now(), outcome = $2, plan_id = $3, reason = COALESCE($4, reason)
       WHERE id = $1`,
      [id, outcome, planId, reason ?? null],
    );
    if (planId === null) return;
    // The alarm that made the decision was stored with no plan while it waited: link it now, so
    // that GET /v1/alarms/:id leads to the plan. Its re-notifications (duplicates) too.
    await this.uow.manager.query(
      `UPDATE alarms a SET plan_id = $2
         FROM deferred_intents d
        WHERE d.id = $1 AND a.plan_id IS NULL AND a.disposition IN ('triggered', 'duplicate')
          AND a.source = d.intent->'alarm'->>'source'
          AND a.alarm_id = d.intent->'alarm'->>'id'`,
      [id, planId],
    );
  }

  /** The oldest waiting intent none of whose holders is live any more, or null. */
  async nextReady(): Promise<DeferredIntent | null> {
    const rows = await this.uow.manager.query<
      { id: string; intent: PlanIntent; waiting_for: string[] }[]
    >(
      `SELECT d.id, d.intent, d.waiting_for FROM deferred_intents d
       WHERE d.resolved_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM plans p
                         WHERE p.id = ANY(d.waiting_for) AND p.state IN ${LIVE_STATES_SQL})
       ORDER BY d.id
       LIMIT 1`,
    );
    const row = rows[0];
    return row ? { id: row.id, intent: row.intent, waitingFor: row.waiting_for } : null;
  }

  async unresolved(): Promise<DeferredIntent[]> {
    const rows = await this.uow.manager.query<
      { id: string; intent: PlanIntent; waiting_for: string[] }[]
    >(`SELECT id, intent, waiting_for FROM deferred_intents WHERE resolved_at IS NULL ORDER BY id`);
    return rows.map((row) => ({ id: row.id, intent: row.intent, waitingFor: row.waiting_for }));
  }
}
