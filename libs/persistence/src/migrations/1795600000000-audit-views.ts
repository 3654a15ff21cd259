import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * Three more audit views (docs/audit.md), for the questions operators ask the plan database most:
 * - `reflex_plan_resources`: every plan that touched a host or instance, read through
 *   `plan_resources`, whose primary key (resource_id, created_at, plan_id) answers "newest first for
 *   this resource" without a sort; the plan's own `resources` array cannot.
 * - `reflex_plan_recovery`: each plan with the alarm that triggered it, and the seconds from that
 *   alarm's occurrence to the plan's success, measured as `GET /v1/stats` measures it (the earliest
 *   `triggered` alarm of the plan), so a report in SQL and the API agree.
 * - `reflex_action_failures`: one row each time an action failed, from the timeline: `actions.error`
 *   keeps only the last attempt's error, and an attempt retried to success leaves no trace there.
 *   `error_code` is the driver's code (its errors read `<code>: <message>`), or the engine's own
 *   reason when it failed the action itself (`deadline`).
 * Like the views of Audit1795213740000 they are an interface: columns are added, never renamed,
 * removed or given another meaning (that would be a new view).
 */
export class AuditViews1795600000000 implements MigrationInterface {
  name = 'AuditViews1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE VIEW reflex_plan_resources AS
        SELECT r.resource_id, p.id AS plan_id, p.policy, p.state, p.mode, p.target_kind, p.target_id,
               p.trigger_rule AS rule, p.trigger_source AS alarm_source, p.trigger_alarm_id AS alarm_id,
               p.reason, p.created_at, p.started_at, p.finished_at
          FROM plan_resources r JOIN plans p ON p.id = r.plan_id`,
      `CREATE VIEW reflex_plan_recovery AS
        SELECT p.id AS plan_id, p.policy, p.trigger_rule AS rule, p.state, p.target_kind, p.target_id,
               p.trigger_source AS alarm_source, p.trigger_alarm_id AS alarm_id,
               t.alarm_occurred_at, t.alarm_received_at, p.created_at, p.started_at, p.finished_at,
               extract(epoch FROM p.created_at - t.alarm_received_at) AS seconds_to_plan,
               CASE WHEN p.state = 'succeeded'
                    THEN extract(epoch FROM p.finished_at - t.alarm_occurred_at) END AS seconds_to_recover
          FROM plans p
          LEFT JOIN LATERAL (
            SELECT min(a.occurred_at) AS alarm_occurred_at, min(a.received_at) AS alarm_received_at
              FROM alarms a
             WHERE a.plan_id = p.id AND a.disposition = 'triggered') t ON true`,
      `CREATE VIEW reflex_action_failures AS
        SELECT e.id AS seq, e.at, e.plan_id, p.policy, p.state AS plan_state,
               e.action_id, a.type AS action_type, a.state AS action_state,
               a.params ->> 'instanceId' AS instance_id, a.host_ids,
               CASE WHEN jsonb_typeof(e.detail -> 'attempt') = 'number'
                    THEN (e.detail ->> 'attempt')::int END AS attempt,
               e.detail ->> 'error' AS error,
               coalesce(substring(e.detail ->> 'error' FROM '^([A-Za-z0-9_.-]+): '),
                        e.detail ->> 'reason') AS error_code
          FROM plan_events e
          JOIN actions a ON a.id = e.action_id
          JOIN plans p ON p.id = e.plan_id
         WHERE e.type = 'action.state' AND e.to_state = 'failed'`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DROP VIEW reflex_action_failures`,
      `DROP VIEW reflex_plan_recovery`,
      `DROP VIEW reflex_plan_resources`,
    ]);
  }
}
