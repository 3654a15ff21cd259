import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * Audit support.
 * - `plan_resources`: one row per (host or instance, plan), kept by a trigger from
 *   `plans.resources`. "Plans touching X, newest first" needs an ordered index on (resource,
 *   created_at); the GIN index on the array cannot give order, and the planner's fixed 0.5% guess
 *   for `@>` makes it walk all plans by time for a rare resource. Here the b-tree has real statistics.
 * - `ix_actions_created`: the unfiltered action list, newest first.
 * - Views for people who query PostgreSQL directly (documented in the README); they are the API's
 *   vocabulary in SQL, so reports need not know the table layout.
 */
export class Audit1795213740000 implements MigrationInterface {
  name = 'Audit1795213740000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE TABLE plan_resources (
        resource_id text NOT NULL,
        created_at timestamptz NOT NULL,
        plan_id uuid NOT NULL,
        CONSTRAINT pk_plan_resources PRIMARY KEY (resource_id, created_at, plan_id),
        CONSTRAINT fk_plan_resources_plan FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE CASCADE
      )`,
      `CREATE INDEX ix_plan_resources_plan ON plan_resources (plan_id)`,
      `CREATE FUNCTION plan_resources_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           DELETE FROM plan_resources WHERE plan_id = OLD.id;
         END IF;
         INSERT INTO plan_resources (resource_id, created_at, plan_id)
           SELECT DISTINCT r, NEW.created_at, NEW.id FROM unnest(NEW.resources) AS r;
         RETURN NULL;
       END
       $$`,
      `CREATE TRIGGER plans_resources_insert AFTER INSERT ON plans
        FOR EACH ROW EXECUTE FUNCTION plan_resources_sync()`,
      `CREATE TRIGGER plans_resources_update AFTER UPDATE OF resources, created_at ON plans
        FOR EACH ROW WHEN (OLD.resources IS DISTINCT FROM NEW.resources OR OLD.created_at IS DISTINCT FROM NEW.created_at)
        EXECUTE FUNCTION plan_resources_sync()`,
      `INSERT INTO plan_resources (resource_id, created_at, plan_id)
        SELECT DISTINCT r, p.created_at, p.id FROM plans p CROSS JOIN LATERAL unnest(p.resources) AS r`,
      `CREATE INDEX ix_actions_created ON actions (created_at, id)`,

      `CREATE VIEW reflex_plan_outcomes AS
        SELECT p.id AS plan_id, p.policy, p.state, p.mode, p.target_kind, p.target_id,
               p.trigger_rule AS rule, p.trigger_rule_version AS rule_version, p.trigger_rule_hash AS rule_hash,
               p.trigger_source AS alarm_source, p.trigger_alarm_id AS alarm_id, p.reason,
               p.created_at, p.started_at, p.finished_at,
               extract(epoch FROM p.finished_at - p.created_at) AS seconds_to_finish,
               (SELECT count(*) FROM actions a WHERE a.plan_id = p.id) AS actions,
               (SELECT count(*) FROM actions a WHERE a.plan_id = p.id AND a.state = 'failed') AS failed_actions
          FROM plans p`,
      `CREATE VIEW reflex_alarm_decisions AS
        SELECT a.id AS row_id, a.source, a.alarm_id, a.type, a.severity, a.state, a.resource_kind, a.resource_id,
               a.occurred_at, a.received_at, a.disposition, a.plan_id, a.correlated_to,
               a.decision ->> 'reason' AS reason,
               a.decision #>> '{intent,rule,name}' AS rule
          FROM alarms a`,
      `CREATE VIEW reflex_action_durations AS
        SELECT a.id AS action_id, a.plan_id, p.policy, a.seq, a.type, a.state, a.attempts, a.host_ids,
               a.started_at, a.finished_at, extract(epoch FROM a.finished_at - a.started_at) AS seconds, a.error
          FROM actions a JOIN plans p ON p.id = a.plan_id`,
      `CREATE VIEW reflex_plan_timeline AS
        SELECT e.plan_id, e.id AS seq, e.at, e.type, e.from_state, e.to_state, e.action_id, e.detail,
               p.policy, p.target_kind, p.target_id
          FROM plan_events e JOIN plans p ON p.id = e.plan_id`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DROP VIEW reflex_plan_timeline`,
      `DROP VIEW reflex_action_durations`,
      `DROP VIEW reflex_alarm_decisions`,
      `DROP VIEW reflex_plan_outcomes`,
      `DROP INDEX ix_actions_created`,
      `DROP TRIGGER plans_resources_update ON plans`,
      `DROP TRIGGER plans_resources_insert ON plans`,
      `DROP FUNCTION plan_resources_sync()`,
      `DROP TABLE plan_resources`,
    ]);
  }
}
