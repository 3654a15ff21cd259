import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * A webhook alert that names no resource Reflex can read (an Alertmanager alert without a host,
 * instance or group label) is kept as a `rejected` alarm row with its reason, instead of failing
 * its whole notification; such a row has no resource. Every other row still has one.
 */
export class UnmappedAlarms1795450000000 implements MigrationInterface {
  name = 'UnmappedAlarms1795450000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `ALTER TABLE alarms ALTER COLUMN resource_kind DROP NOT NULL,
         ALTER COLUMN resource_id DROP NOT NULL`,
      `ALTER TABLE alarms ADD CONSTRAINT ck_alarms_resource CHECK ((resource_kind IS NOT NULL
         AND resource_id IS NOT NULL) OR (resource_kind IS NULL AND resource_id IS NULL
         AND disposition = 'rejected'))`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DELETE FROM alarms WHERE resource_kind IS NULL`,
      `ALTER TABLE alarms DROP CONSTRAINT ck_alarms_resource`,
      `ALTER TABLE alarms ALTER COLUMN resource_kind SET NOT NULL,
         ALTER COLUMN resource_id SET NOT NULL`,
    ]);
  }
}
