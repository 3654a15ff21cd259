// The SQL behind PgSimulatorStore: the catch-up read of the copy and the guarded batch write over
// simulator_meta, simulator_inventory, simulator_operations and simulator_calls.
import type { DataSource } from 'typeorm';
import type { SimOperation, SimSettings, SimState } from './simulator.state';
import type { CopyChanges, Kind, MapName } from './simulator-copy';

/** The catch-up read: the meta row and whatever changed since the copy's version. */
export interface Refresh {
  version: string;
  epoch: string;
  call_seq: string;
  settings: SimSettings;
  faults: SimState['faults'];
  /** [kind, id, data] of every inventory row newer than the copy. */
  inventory: [Kind, string, unknown][] | null;
  operations: SimOperation[] | null;
  wanted: SimOperation[] | null;
}

/** Rows written after the copy's version, or every row when the cloud was replaced since. */
const SINCE = `CASE WHEN m.epoch = $1 THEN $2 ELSE -1 END`;

/**
 * The rows newer than a copy at `epoch` and `version` (-1 for none: every row), with the live
 * operations and the `wanted` ones by key; undefined while the cloud has no meta row.
 */
export async function readSince(
  dataSource: DataSource,
  epoch: number,
  version: number,
  wanted: string[],
): Promise<Refresh | undefined> {
  const [row] = await dataSource.query<Refresh[]>(
    `SELECT m.version, m.epoch, m.call_seq, m.settings, m.faults,
       (SELECT json_agg(json_build_array(kind, id, data)) FROM simulator_inventory
         WHERE version > ${SINCE}) AS inventory,
       (SELECT json_agg(data) FROM simulator_operations
         WHERE version > ${SINCE}
           AND (m.epoch = $1 OR status = 'running' OR holds_claim)) AS operations,
       (SELECT json_agg(data) FROM simulator_operations WHERE key = ANY($3::text[])) AS wanted
     FROM simulator_meta m WHERE m.id = 1`,
    [epoch, version, wanted],
  );
  return row;
}

/**
 * Writes a batch's changes, guarded by `version` (the copy's); the new version, or null when
 * another writer came first (nothing was written). Replaced maps empty their tables first.
 */
export function writeChanges(
  dataSource: DataSource,
  version: number,
  callSeq: number,
  changes: CopyChanges,
): Promise<number | null> {
  const { replaced, inventory, operations, calls } = changes;
  const params = [
    version,
    replaced.length > 0 ? 1 : 0,
    callSeq,
    changes.settings,
    changes.faults,
    inventory.map((r) => r.kind),
    inventory.map((r) => r.id),
    inventory.map((r) => r.json),
    operations.map((r) => r.id),
    operations.map((r) => r.value.actionId),
    operations.map((r) => r.value.attempt),
    operations.map((r) => r.value.status),
    operations.map((r) => r.value.claim !== null),
    operations.map((r) => r.json),
    calls.map((c) => c.seq),
    calls.map((c) => c.actionId),
    calls.map((c) => c.attempt),
    calls.map((c) => JSON.stringify(c)),
  ];
  return replaced.length > 0
    ? replaceAndWrite(dataSource, replaced, params)
    : guardedWrite(dataSource, params);
}

/** One statement: every row write happens only if the version still is the copy's. */
async function guardedWrite(dataSource: DataSource, params: unknown[]): Promise<number | null> {
  const rows = await dataSource.query<{ version: string }[]>(WRITE, params);
  return rows.length === 1 ? Number(rows[0].version) : null;
}

/** A seed: the replaced tables are emptied first, so in a transaction under the meta row lock. */
function replaceAndWrite(
  dataSource: DataSource,
  replaced: MapName[],
  params: unknown[],
): Promise<number | null> {
  return dataSource.transaction(async (manager) => {
    const [meta] = await manager.query<{ version: string }[]>(
      `SELECT version FROM simulator_meta WHERE id = 1 FOR UPDATE`,
    );
    if (Number(meta?.version) !== params[0]) return null;
    await manager.query(`DELETE FROM simulator_inventory WHERE kind = ANY($1::text[])`, [
      replaced.filter((kind) => kind !== 'operations'),
    ]);
    if (replaced.includes('operations')) await manager.query(`DELETE FROM simulator_operations`);
    const rows = await manager.query<{ version: string }[]>(WRITE, params);
    return Number(rows[0].version);
  });
}

/**
 * The batch's writes. `m` bumps the version only if it is still $1 (under the row's lock, so two
 * writers serialise here); every other write joins `m`, so a writer that lost writes nothing.
 */
const WRITE = `WITH m AS (
    UPDATE simulator_meta
    SET version = version + 1, epoch = epoch + $2, call_seq = $3, settings = $4::jsonb,
        faults = $5::jsonb, updated_at = now()
    WHERE id = 1 AND version = $1
    RETURNING version
  ),
  i AS (
    INSERT INTO simulator_inventory (kind, id, data, version)
    SELECT v.kind, v.id, v.data, m.version
    FROM unnest($6::text[], $7::text[], $8::jsonb[]) v(kind, id, data), m
    ON CONFLICT (kind, id) DO UPDATE SET data = EXCLUDED.data, version = EXCLUDED.version
  ),
  o AS (
    INSERT INTO simulator_operations (key, action_id, attempt, status, holds_claim, data, version)
    SELECT v.key, v.action_id, v.attempt, v.status, v.holds_claim, v.data, m.version
    FROM unnest($9::text[], $10::text[], $11::integer[], $12::text[], $13::boolean[],
                $14::jsonb[]) v(key, action_id, attempt, status, holds_claim, data), m
    ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status,
      holds_claim = EXCLUDED.holds_claim, data = EXCLUDED.data, version = EXCLUDED.version
  ),
  c AS (
    INSERT INTO simulator_calls (seq, action_id, attempt, data)
    SELECT v.seq, v.action_id, v.attempt, v.data
    FROM unnest($15::bigint[], $16::text[], $17::integer[], $18::jsonb[])
      v(seq, action_id, attempt, data), m
  )
  SELECT version FROM m`;
