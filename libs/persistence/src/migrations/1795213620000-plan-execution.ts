import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * What plan execution needs beyond the plan tables: decisions waiting for a live plan to finish,
 * the relay's record of outbox messages it has tried to publish, and a live-target index that lets
 * notify plans (which change nothing) sit beside another live plan on the same target.
 */
export class PlanExecution1795213620000 implements MigrationInterface {
  name = 'PlanExecution1795213620000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      // A decision on resources held by a live plan it does not outrank: planned again, oldest
      // first, once every plan in waiting_for has finished.
      `CREATE TABLE deferred_intents (
        id bigserial NOT NULL,
        policy text NOT NULL,
        target_kind text NOT NULL,
        target_id text NOT NULL,
        intent jsonb NOT NULL,
        waiting_for uuid[] NOT NULL DEFAULT '{}',
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        outcome text,
        plan_id uuid,
        CONSTRAINT pk_deferred_intents PRIMARY KEY (id),
        CONSTRAINT fk_deferred_intents_plan FOREIGN KEY (plan_id)
          REFERENCES plans (id) ON DELETE SET NULL
      )`,
      `CREATE INDEX ix_deferred_intents_waiting ON deferred_intents (id) WHERE resolved_at IS NULL`,
      // Written (and committed) by the relay before it publishes a claimed row, so that after a crash
      // a row that may already be on the broker is checked there instead of being sent twice. No
      // foreign key on purpose: its check would take a KEY SHARE lock on the outbox row, which the
      // relay's own claiming transaction holds FOR UPDATE.
      `CREATE TABLE outbox_attempts (
        outbox_id bigint NOT NULL,
        attempted_at timestamptz NOT NULL,
        CONSTRAINT pk_outbox_attempts PRIMARY KEY (outbox_id)
      )`,
      `DROP INDEX uq_plans_live_target`,
      `CREATE UNIQUE INDEX uq_plans_live_target ON plans (target_kind, target_id)
        WHERE state IN ('pending_approval', 'pending', 'running', 'rolling_back')
          AND policy <> 'notify'`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DROP INDEX uq_plans_live_target`,
      `CREATE UNIQUE INDEX uq_plans_live_target ON plans (target_kind, target_id)
        WHERE state IN ('pending_approval', 'pending', 'running', 'rolling_back')`,
      `DROP TABLE outbox_attempts`,
      `DROP TABLE deferred_intents`,
    ]);
  }
}
