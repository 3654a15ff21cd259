import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

const TABLES = ['hosts', 'instances', 'groups'];

/**
 * A version of the inventory, so a planner can keep the inventory it read and know, with one
 * query, whether it still holds.
 * - `inventory_version.version` goes up once per transaction that changed hosts, instances or
 *   groups. The bump is a deferred constraint trigger: it runs at commit, after every other lock the
 *   transaction takes, so the one row it updates cannot be part of a deadlock; and a reader sees the
 *   new number exactly when it sees the change.
 * - Until it commits, the changing transaction itself sees the old number; a statement trigger
 *   marks it (`reflex.inventory_dirty`, transaction-local) so it knows not to trust a kept copy.
 * - TRUNCATE (no row triggers) bumps at once.
 */
export class InventoryVersion1795320000000 implements MigrationInterface {
  name = 'InventoryVersion1795320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE TABLE inventory_version (
        id boolean NOT NULL DEFAULT true,
        version bigint NOT NULL,
        CONSTRAINT pk_inventory_version PRIMARY KEY (id),
        CONSTRAINT ck_inventory_version_one_row CHECK (id)
      )`,
      `INSERT INTO inventory_version (id, version) VALUES (true, 1)`,
      `CREATE FUNCTION inventory_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM set_config('reflex.inventory_dirty', 'yes', true);
         IF TG_OP = 'TRUNCATE' THEN
           UPDATE inventory_version SET version = version + 1;
         END IF;
         RETURN NULL;
       END
       $$`,
      `CREATE FUNCTION inventory_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF current_setting('reflex.inventory_bumped', true) = 'yes' THEN
           RETURN NULL;
         END IF;
         PERFORM set_config('reflex.inventory_bumped', 'yes', true);
         UPDATE inventory_version SET version = version + 1;
         RETURN NULL;
       END
       $$`,
      ...TABLES.flatMap((t) => [
        `CREATE TRIGGER ${t}_mark_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${t}
          FOR EACH STATEMENT EXECUTE FUNCTION inventory_mark_dirty()`,
        `CREATE CONSTRAINT TRIGGER ${t}_bump_version AFTER INSERT OR UPDATE OR DELETE ON ${t}
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION inventory_bump_version()`,
      ]),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      ...TABLES.flatMap((t) => [
        `DROP TRIGGER ${t}_bump_version ON ${t}`,
        `DROP TRIGGER ${t}_mark_dirty ON ${t}`,
      ]),
      `DROP FUNCTION inventory_bump_version()`,
      `DROP FUNCTION inventory_mark_dirty()`,
      `DROP TABLE inventory_version`,
    ]);
  }
}
