import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * Failure domains and priorities (issue 15, CONTRACT §9): groups may keep their members on
 * different racks (`rack` anti-affinity), and an instance may carry a priority 0-100. The
 * priority is nullable rather than defaulted to 50 so that an instance stored without one reads
 * back as it was written; the planner takes a missing priority as 50.
 */
export class FailureDomains1795510000000 implements MigrationInterface {
  name = 'FailureDomains1795510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `ALTER TABLE groups DROP CONSTRAINT ck_groups_anti_affinity`,
      `ALTER TABLE groups ADD CONSTRAINT ck_groups_anti_affinity
        CHECK (anti_affinity IN ('host', 'rack', 'zone', 'none'))`,
      `ALTER TABLE instances ADD COLUMN priority integer`,
      `ALTER TABLE instances ADD CONSTRAINT ck_instances_priority
        CHECK (priority BETWEEN 0 AND 100)`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `ALTER TABLE instances DROP CONSTRAINT ck_instances_priority`,
      `ALTER TABLE instances DROP COLUMN priority`,
      // Racks go back to being hosts of their own: the nearest the old schema can keep.
      `UPDATE groups SET anti_affinity = 'host' WHERE anti_affinity = 'rack'`,
      `ALTER TABLE groups DROP CONSTRAINT ck_groups_anti_affinity`,
      `ALTER TABLE groups ADD CONSTRAINT ck_groups_anti_affinity
        CHECK (anti_affinity IN ('host', 'zone', 'none'))`,
    ]);
  }
}
