import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

const BEFORE = `'received', 'triggered', 'duplicate', 'correlated', 'suppressed', 'no-rule', 'resolved', 'rejected'`;

/**
 * `conditions-failed` tells an alarm that rules were written for, but whose conditions held them
 * all back, from `no-rule` (no rule for its type). Rows decided before keep `no-rule`: their stored
 * decision has the rules' `whyNot`, but re-deciding history would rewrite the audit.
 */
export class ConditionsFailed1795620000000 implements MigrationInterface {
  name = 'ConditionsFailed1795620000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `ALTER TABLE alarms DROP CONSTRAINT ck_alarms_disposition`,
      `ALTER TABLE alarms ADD CONSTRAINT ck_alarms_disposition CHECK (disposition IN (${BEFORE}, 'conditions-failed'))`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `UPDATE alarms SET disposition = 'no-rule' WHERE disposition = 'conditions-failed'`,
      `ALTER TABLE alarms DROP CONSTRAINT ck_alarms_disposition`,
      `ALTER TABLE alarms ADD CONSTRAINT ck_alarms_disposition CHECK (disposition IN (${BEFORE}))`,
    ]);
  }
}
