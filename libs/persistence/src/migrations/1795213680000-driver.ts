import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * The driver's own tables: the record of every command it accepted (claim, lease, handle, final
 * event) and the simulated cloud, so both survive a restart of the driver.
 */
export class Driver1795213680000 implements MigrationInterface {
  name = 'Driver1795213680000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      // One row per (action, attempt), inserted before the driver acts: the insert is the claim,
      // so of several replicas that see one command only the one whose insert won runs it.
      `CREATE TABLE driver_actions (
        action_id text NOT NULL,
        attempt integer NOT NULL,
        plan_id text NOT NULL,
        type text NOT NULL,
        params jsonb NOT NULL,
        deadline timestamptz NOT NULL,
        backend text NOT NULL,
        status text NOT NULL,
        handle jsonb,
        final_event jsonb,
        final_published_at timestamptz,
        owner text,
        lease_expires_at timestamptz,
        abort_requested_at timestamptz,
        force_complete_requested_at timestamptz,
        accepted_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT pk_driver_actions PRIMARY KEY (action_id, attempt),
        CONSTRAINT ck_driver_actions_status
          CHECK (status IN ('accepted', 'running', 'succeeded', 'failed', 'aborted')),
        CONSTRAINT ck_driver_actions_final
          CHECK ((finished_at IS NULL) = (final_event IS NULL))
      )`,
      // What reconciliation and the lease sweep read: the few unfinished actions.
      `CREATE INDEX ix_driver_actions_unfinished ON driver_actions (lease_expires_at)
        WHERE finished_at IS NULL`,
      // Final events recorded but not yet acknowledged by the broker.
      `CREATE INDEX ix_driver_actions_unpublished ON driver_actions (finished_at)
        WHERE finished_at IS NOT NULL AND final_published_at IS NULL`,
      `CREATE TABLE simulator_state (
        id smallint NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_simulator_state PRIMARY KEY (id),
        CONSTRAINT ck_simulator_state_single CHECK (id = 1)
      )`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [`DROP TABLE simulator_state`, `DROP TABLE driver_actions`]);
  }
}
