// The schema a bulk load takes apart and builds again: each key and index of the loaded tables
// as PostgreSQL defines it (pg_get_constraintdef, pg_get_indexdef), and a fingerprint to compare
// the schema before and after.
import type { Client } from 'pg';

/** A key or an index of a table, with the definition that creates it again. */
export interface SchemaObject {
  kind: 'index' | 'constraint';
  table: string;
  name: string;
  definition: string;
  /** p, u, f for constraints. */
  type?: string;
}

/** The keys (primary, unique, foreign) and the other indexes of `tables`, read from the catalog. */
export async function schemaObjects(db: Client, tables: string[]): Promise<SchemaObject[]> {
  const constraints = await db.query<{ name: string; table: string; def: string; type: string }>(
    `SELECT c.conname AS name, c.conrelid::regclass::text AS table, pg_get_constraintdef(c.oid) AS def,
            c.contype AS type
     FROM pg_constraint c
     WHERE c.contype IN ('p', 'u', 'f')
       AND (c.conrelid = ANY($1::regclass[]) OR c.confrelid = ANY($1::regclass[]))
     ORDER BY 1`,
    [tables],
  );
  const indexes = await db.query<{ name: string; table: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS table,
            pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i
     WHERE i.indrelid = ANY($1::regclass[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY 1`,
    [tables],
  );
  return [
    ...constraints.rows.map((r) => ({
      kind: 'constraint' as const,
      table: r.table,
      name: r.name,
      definition: r.def,
      type: r.type,
    })),
    ...indexes.rows.map((r) => ({
      kind: 'index' as const,
      table: r.table,
      name: r.name,
      definition: r.def,
    })),
  ];
}

/** The objects as one text, in a fixed order: equal when the schema is. */
export const fingerprint = (objects: SchemaObject[]) =>
  objects
    .map((o) => `${o.kind} ${o.table} ${o.name} ${o.definition}`)
    .sort()
    .join('\n');
