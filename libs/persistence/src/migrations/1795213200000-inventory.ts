import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/** Hosts, instances and groups (CONTRACT §4). */
export class Inventory1795213200000 implements MigrationInterface {
  // Explicit, because TypeORM would otherwise take the class name, which a minifier may rename.
  name = 'Inventory1795213200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE TABLE hosts (
        id text NOT NULL,
        zone text NOT NULL,
        status text NOT NULL,
        hypervisor text NOT NULL,
        driver text NOT NULL,
        capacity_vcpus integer NOT NULL,
        capacity_memory_mb integer NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_hosts PRIMARY KEY (id),
        CONSTRAINT ck_hosts_status CHECK (status IN ('up', 'down', 'disabled', 'maintenance'))
      )`,
      // No foreign keys to hosts or groups: inventory upserts arrive independently and in any order.
      `CREATE TABLE instances (
        id text NOT NULL,
        host_id text NOT NULL,
        kind text NOT NULL,
        state text NOT NULL,
        vcpus integer NOT NULL,
        memory_mb integer NOT NULL,
        group_id text,
        role text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_instances PRIMARY KEY (id),
        CONSTRAINT ck_instances_kind CHECK (kind IN ('vm', 'baremetal')),
        CONSTRAINT ck_instances_state CHECK (state IN ('running', 'stopped', 'error', 'migrating')),
        CONSTRAINT ck_instances_role CHECK (role IN ('active', 'standby'))
      )`,
      `CREATE INDEX ix_instances_host ON instances (host_id)`,
      `CREATE INDEX ix_instances_group ON instances (group_id)`,
      `CREATE TABLE groups (
        id text NOT NULL,
        active integer NOT NULL,
        standby integer NOT NULL,
        anti_affinity text NOT NULL,
        degraded_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_groups PRIMARY KEY (id),
        CONSTRAINT ck_groups_anti_affinity CHECK (anti_affinity IN ('host', 'zone', 'none'))
      )`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `DROP TABLE groups`,
      `DROP TABLE instances`,
      `DROP TABLE hosts`,
    ]);
  }
}
