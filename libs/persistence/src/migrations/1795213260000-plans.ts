import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/** Plans, their actions and their timeline (CONTRACT §6). */
export class Plans1795213260000 implements MigrationInterface {
  name = 'Plans1795213260000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      // gen_random_uuid() is built in since PostgreSQL 13: no extension, no superuser needed.
      `CREATE TABLE plans (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        state text NOT NULL,
        policy text NOT NULL,
        mode text NOT NULL,
        target_kind text NOT NULL,
        target_id text NOT NULL,
        trigger_alarm_id text NOT NULL,
        trigger_source text NOT NULL,
        trigger_rule text NOT NULL,
        trigger_rule_version integer NOT NULL,
        trigger_rule_hash text NOT NULL,
        reason text,
        explanation jsonb,
        on_failure text NOT NULL DEFAULT 'rollback',
        resources text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        superseded_by uuid,
        CONSTRAINT pk_plans PRIMARY KEY (id),
        CONSTRAINT fk_plans_superseded_by FOREIGN KEY (superseded_by)
          REFERENCES plans (id) ON DELETE SET NULL,
        CONSTRAINT ck_plans_state CHECK (state IN ('pending_approval', 'pending', 'running',
          'succeeded', 'failed', 'rolling_back', 'rolled_back', 'cancelled', 'superseded', 'blocked')),
        CONSTRAINT ck_plans_mode CHECK (mode IN ('auto', 'manual')),
        CONSTRAINT ck_plans_target_kind CHECK (target_kind IN ('host', 'instance', 'group')),
        CONSTRAINT ck_plans_on_failure CHECK (on_failure IN ('rollback', 'stop', 'continue'))
      )`,
      // List queries page newest first on (created_at, id); each filter leads its own index.
      `CREATE INDEX ix_plans_created ON plans (created_at, id)`,
      `CREATE INDEX ix_plans_state_created ON plans (state, created_at, id)`,
      `CREATE INDEX ix_plans_policy_created ON plans (policy, created_at, id)`,
      `CREATE INDEX ix_plans_trigger_rule_created ON plans (trigger_rule, created_at, id)`,
      `CREATE INDEX ix_plans_trigger_alarm ON plans (trigger_alarm_id, trigger_source)`,
      // Cooldowns and "what happened to this target" look up by target, newest first.
      `CREATE INDEX ix_plans_target_created ON plans (target_kind, target_id, created_at)`,
      `CREATE INDEX ix_plans_resources ON plans USING gin (resources)`,
      // One live plan per target, enforced by the database so two engine replicas deciding on the
      // same target at once cannot both start a plan. Same list as LIVE_PLAN_STATES.
      `CREATE UNIQUE INDEX uq_plans_live_target ON plans (target_kind, target_id)
        WHERE state IN ('pending_approval', 'pending', 'running', 'rolling_back')`,

      `CREATE TABLE actions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL,
        seq integer NOT NULL,
        type text NOT NULL,
        params jsonb NOT NULL,
        depends_on uuid[] NOT NULL DEFAULT '{}',
        state text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        progress integer NOT NULL DEFAULT 0,
        started_at timestamptz,
        finished_at timestamptz,
        error text,
        compensation_for uuid,
        deadline timestamptz,
        host_ids text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_actions PRIMARY KEY (id),
        CONSTRAINT fk_actions_plan FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE CASCADE,
        CONSTRAINT fk_actions_compensation_for FOREIGN KEY (compensation_for) REFERENCES actions (id),
        CONSTRAINT uq_actions_plan_seq UNIQUE (plan_id, seq),
        CONSTRAINT ck_actions_state CHECK (state IN ('pending', 'running', 'succeeded', 'failed',
          'aborted', 'skipped', 'compensated')),
        CONSTRAINT ck_actions_progress CHECK (progress BETWEEN 0 AND 100),
        CONSTRAINT ck_actions_attempts CHECK (attempts >= 0)
      )`,
      `CREATE INDEX ix_actions_type_state ON actions (type, state)`,
      `CREATE INDEX ix_actions_compensation_for ON actions (compensation_for)`,
      `CREATE INDEX ix_actions_host_ids ON actions USING gin (host_ids)`,

      `CREATE TABLE plan_events (
        id bigserial NOT NULL,
        plan_id uuid NOT NULL,
        action_id uuid,
        at timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL,
        from_state text,
        to_state text,
        detail jsonb,
        CONSTRAINT pk_plan_events PRIMARY KEY (id),
        CONSTRAINT fk_plan_events_plan FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE CASCADE,
        CONSTRAINT fk_plan_events_action FOREIGN KEY (action_id)
          REFERENCES actions (id) ON DELETE CASCADE
      )`,
      `CREATE INDEX ix_plan_events_plan ON plan_events (plan_id, id)`,
      `CREATE INDEX ix_plan_events_action ON plan_events (action_id)`,
      // The timeline is audit: rows are added, and removed only with their plan, never rewritten.
      `CREATE FUNCTION plan_events_reject_update() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'plan_events is append-only' USING ERRCODE = 'restrict_violation';
       END
       $$`,
      `CREATE TRIGGER plan_events_append_only BEFORE UPDATE ON plan_events
        FOR EACH ROW EXECUTE FUNCTION plan_events_reject_update()`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DROP TABLE plan_events`,
      `DROP FUNCTION plan_events_reject_update()`,
      `DROP TABLE actions`,
      `DROP TABLE plans`,
    ]);
  }
}
