import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * The destinations a move found unusable, oldest first (CONTRACT §9 re-placement, issue 15): a move
 * whose destination went down or failed it is placed again elsewhere, at most 3 times, and never
 * back onto one of these. Kept on the action so the count survives restarts and the audit shows
 * every host the move was meant for.
 */
export class RePlacement1795500000000 implements MigrationInterface {
  name = 'RePlacement1795500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `ALTER TABLE actions ADD COLUMN unusable_host_ids text[] NOT NULL DEFAULT '{}'`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [`ALTER TABLE actions DROP COLUMN unusable_host_ids`]);
  }
}
