import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/**
 * The simulated cloud as rows instead of one JSON document: one row per host, instance, group
 * (`simulator_inventory`), operation and backend call, plus one `simulator_meta` row (settings, faults, the call counter
 * and the version every writer checks). One document meant every start and poll rewrote the
 * whole cloud under one row lock; rows let the driver write only what changed, many changes per
 * statement, and prune finished operations. Existing clouds are carried over, and back on `down`.
 */
export class SimulatorRows1795300000000 implements MigrationInterface {
  name = 'SimulatorRows1795300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      // `version` goes up by one with every write; each written row carries the version that wrote
      // it, so a driver replica catches up by reading the rows newer than the version it has.
      // `epoch` goes up when the cloud is replaced wholesale (a seed): then it reads everything.
      `CREATE TABLE simulator_meta (
        id smallint NOT NULL,
        version bigint NOT NULL,
        epoch bigint NOT NULL,
        call_seq bigint NOT NULL,
        settings jsonb NOT NULL,
        faults jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_simulator_meta PRIMARY KEY (id),
        CONSTRAINT ck_simulator_meta_single CHECK (id = 1)
      )`,
      // Hosts, instances and groups alike: `kind` is the SimState map the row belongs to.
      `CREATE TABLE simulator_inventory (
        kind text NOT NULL,
        id text NOT NULL,
        data jsonb NOT NULL,
        version bigint NOT NULL,
        CONSTRAINT pk_simulator_inventory PRIMARY KEY (kind, id),
        CONSTRAINT ck_simulator_inventory_kind CHECK (kind IN ('hosts', 'instances', 'groups'))
      )`,
      `CREATE INDEX ix_simulator_inventory_version ON simulator_inventory (version)`,
      // `status` and `holds_claim` are copies of fields of `data`, for the two questions asked in
      // SQL: which operations a driver keeps in memory (running, or holding destination capacity)
      // and which finished ones may be pruned.
      `CREATE TABLE simulator_operations (
        key text NOT NULL,
        action_id text NOT NULL,
        attempt integer NOT NULL,
        status text NOT NULL,
        holds_claim boolean NOT NULL,
        data jsonb NOT NULL,
        version bigint NOT NULL,
        CONSTRAINT pk_simulator_operations PRIMARY KEY (key),
        CONSTRAINT ck_simulator_operations_status
          CHECK (status IN ('running', 'succeeded', 'failed', 'aborted'))
      )`,
      `CREATE INDEX ix_simulator_operations_version ON simulator_operations (version)`,
      `CREATE INDEX ix_simulator_operations_live ON simulator_operations (key)
        WHERE status = 'running' OR holds_claim`,
      `CREATE TABLE simulator_calls (
        seq bigint NOT NULL,
        action_id text NOT NULL,
        attempt integer NOT NULL,
        data jsonb NOT NULL,
        CONSTRAINT pk_simulator_calls PRIMARY KEY (seq)
      )`,
      // Carry an existing cloud over (a driver upgraded in place keeps its migrations in flight).
      `INSERT INTO simulator_meta (id, version, epoch, call_seq, settings, faults)
        SELECT 1, 1, 1, coalesce((state->>'callSeq')::bigint, 0), state->'settings',
               coalesce(state->'faults', '[]'::jsonb)
        FROM simulator_state WHERE id = 1`,
      `INSERT INTO simulator_inventory (kind, id, data, version)
        SELECT k.kind, e.key, e.value, 1
        FROM simulator_state s, unnest(ARRAY['hosts', 'instances', 'groups']) k(kind),
             jsonb_each(s.state->k.kind) e`,
      `INSERT INTO simulator_operations (key, action_id, attempt, status, holds_claim, data, version)
        SELECT e.key, e.value->>'actionId', (e.value->>'attempt')::integer, e.value->>'status',
               jsonb_typeof(e.value->'claim') = 'object', e.value, 1
        FROM simulator_state s, jsonb_each(s.state->'operations') e`,
      `INSERT INTO simulator_calls (seq, action_id, attempt, data)
        SELECT (c->>'seq')::bigint, c->>'actionId', (c->>'attempt')::integer, c
        FROM simulator_state s, jsonb_array_elements(s.state->'calls') c`,
      `DROP TABLE simulator_state`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE TABLE simulator_state (
        id smallint NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_simulator_state PRIMARY KEY (id),
        CONSTRAINT ck_simulator_state_single CHECK (id = 1)
      )`,
      `INSERT INTO simulator_state (id, state)
        SELECT 1, jsonb_build_object(
          'version', 1,
          ${['hosts', 'instances', 'groups']
            .map(
              (kind) => `'${kind}', coalesce(
                (SELECT jsonb_object_agg(id, data) FROM simulator_inventory WHERE kind = '${kind}'),
                '{}'),`,
            )
            .join('\n')}
          'operations',
            coalesce((SELECT jsonb_object_agg(key, data) FROM simulator_operations), '{}'),
          'faults', m.faults,
          'calls', coalesce(
            (SELECT jsonb_agg(data ORDER BY seq)
             FROM (SELECT seq, data FROM simulator_calls ORDER BY seq DESC LIMIT 10000) c),
            '[]'),
          'callSeq', m.call_seq,
          'settings', m.settings)
        FROM simulator_meta m WHERE m.id = 1`,
      `DROP TABLE simulator_calls`,
      `DROP TABLE simulator_operations`,
      `DROP TABLE simulator_inventory`,
      `DROP TABLE simulator_meta`,
    ]);
  }
}
