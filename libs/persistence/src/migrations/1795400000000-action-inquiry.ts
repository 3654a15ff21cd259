import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * When the engine last asked the driver about a running action (issue 13). A running action the
 * engine has heard nothing final about for a while is asked again, with its execute command for
 * the same attempt (idempotent in the driver: it re-publishes a final event it recorded, takes the
 * action over from a replica that is gone, or starts an attempt it never received). The column keeps
 * the asking to once per interval per action, whichever engine replica asks.
 */
export class ActionInquiry1795400000000 implements MigrationInterface {
  name = 'ActionInquiry1795400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [`ALTER TABLE actions ADD COLUMN asked_at timestamptz`]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [`ALTER TABLE actions DROP COLUMN asked_at`]);
  }
}
