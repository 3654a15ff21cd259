import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * The planning cell a plan was made in (issue 18): each cell's planner reads only its own live
 * plans. Plans made before cells existed were made for the whole cloud, which is the cell `''`.
 */
export class PlanningCells1795700000000 implements MigrationInterface {
  name = 'PlanningCells1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `ALTER TABLE plans ADD COLUMN cell text NOT NULL DEFAULT ''`,
      `CREATE INDEX ix_plans_live_cell ON plans (cell)
        WHERE state IN ('pending_approval', 'pending', 'running', 'rolling_back')`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DROP INDEX ix_plans_live_cell`,
      `ALTER TABLE plans DROP COLUMN cell`,
    ]);
  }
}
