import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/** Received alarms with their dispositions, and the rule versions that judged them. */
export class AlarmsAndRules1795213320000 implements MigrationInterface {
  name = 'AlarmsAndRules1795213320000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE TABLE rule_versions (
        id bigserial NOT NULL,
        name text NOT NULL,
        version integer NOT NULL,
        hash text NOT NULL,
        content jsonb NOT NULL,
        file text,
        loaded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_rule_versions PRIMARY KEY (id),
        CONSTRAINT uq_rule_versions_hash UNIQUE (hash),
        CONSTRAINT uq_rule_versions_name_version UNIQUE (name, version)
      )`,
      // uq_alarms_message is the idempotency key; see AlarmEntity for why this and not an offset.
      `CREATE TABLE alarms (
        id bigserial NOT NULL,
        source text NOT NULL,
        alarm_id text NOT NULL,
        type text NOT NULL,
        severity text,
        state text NOT NULL,
        resource_kind text NOT NULL,
        resource_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        labels jsonb NOT NULL DEFAULT '{}',
        annotations jsonb NOT NULL DEFAULT '{}',
        value double precision,
        payload jsonb NOT NULL,
        disposition text NOT NULL DEFAULT 'received',
        plan_id uuid,
        correlated_to bigint,
        decision jsonb,
        CONSTRAINT pk_alarms PRIMARY KEY (id),
        CONSTRAINT uq_alarms_message UNIQUE (source, alarm_id, state, occurred_at),
        CONSTRAINT fk_alarms_plan FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE SET NULL,
        CONSTRAINT fk_alarms_correlated_to FOREIGN KEY (correlated_to)
          REFERENCES alarms (id) ON DELETE SET NULL,
        CONSTRAINT ck_alarms_state CHECK (state IN ('firing', 'resolved')),
        CONSTRAINT ck_alarms_severity CHECK (severity IN ('critical', 'major', 'minor', 'warning',
          'info')),
        CONSTRAINT ck_alarms_resource_kind CHECK (resource_kind IN ('host', 'instance', 'group')),
        CONSTRAINT ck_alarms_disposition CHECK (disposition IN ('received', 'triggered',
          'duplicate', 'correlated', 'suppressed', 'no-rule', 'resolved', 'rejected'))
      )`,
      `CREATE INDEX ix_alarms_resource_received ON alarms (resource_kind, resource_id, received_at)`,
      `CREATE INDEX ix_alarms_type_received ON alarms (type, received_at)`,
      `CREATE INDEX ix_alarms_disposition_received ON alarms (disposition, received_at)`,
      `CREATE INDEX ix_alarms_plan ON alarms (plan_id)`,
      `CREATE INDEX ix_alarms_correlated_to ON alarms (correlated_to)`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [`DROP TABLE alarms`, `DROP TABLE rule_versions`]);
  }
}
