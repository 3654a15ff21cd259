import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Many rows of one entity in one statement with one parameter: the rows as a JSON array, unpacked by
 * PostgreSQL (`jsonb_to_recordset`) into the entity's columns and types.
 *
 * Why not `manager.insert`: TypeORM builds a VALUES list with one parameter per cell and checks each
 * new parameter name against all the earlier ones, which made it a sixth of the engine's CPU on the
 * plan path (a batch writes hundreds of plans, actions, timeline events and outbox messages). Here
 * the cost is one `JSON.stringify`.
 *
 * The columns written are the properties of the first row; every row must have each of them (null
 * for NULL) and no other: a missing one would be NULL rather than the column's default, and an
 * extra one would be dropped, so both are refused. Dates
 * go as ISO text, jsonb columns as JSON. `returning`: columns to read back, in the rows' order.
 */
export async function bulkInsert<E extends ObjectLiteral, R = Record<string, unknown>>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  rows: ReadonlyArray<Partial<E>>,
  returning: ReadonlyArray<keyof E & string> = [],
): Promise<R[]> {
  if (rows.length === 0) return [];
  const metadata = manager.connection.getMetadata(entity);
  const properties = Object.keys(rows[0]);
  const columns = properties.map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.tableName} has no column for ${property}`);
    return column;
  });
  for (const [i, row] of rows.entries()) {
    const missing = properties.find((p) => (row as Record<string, unknown>)[p] === undefined);
    if (missing !== undefined) {
      throw new Error(`${metadata.tableName} row ${i} has no ${missing} (null for NULL)`);
    }
    if (Object.keys(row).length !== properties.length) {
      const extra = Object.keys(row).filter((p) => !properties.includes(p));
      throw new Error(
        `${metadata.tableName} row ${i} has ${extra.join(', ')}, which row 0 has not`,
      );
    }
  }
  const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
  const definitions = columns.map((c) => `"${c.databaseName}" ${sqlType(manager, c)}`).join(', ');
  const read = returning.map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.tableName} has no column for ${property}`);
    return `"${column.databaseName}" AS "${property}"`;
  });
  // ORDER BY the ordinality: rows are inserted, and serial ids drawn, in the order given.
  const sql = `INSERT INTO "${metadata.tableName}" (${names})
    SELECT ${names} FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (${definitions}))
      WITH ORDINALITY AS r(${names}, "ordinality")
     ORDER BY "ordinality"${read.length ? ` RETURNING ${read.join(', ')}` : ''}`;
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [i, column] of columns.entries()) {
      record[column.databaseName] = (row as Record<string, unknown>)[properties[i]];
    }
    return record;
  });
  const result: unknown = await manager.query(sql, [JSON.stringify(records)]);
  return read.length ? (result as R[]) : [];
}

function sqlType(manager: EntityManager, column: ColumnMetadata): string {
  const type = manager.connection.driver.normalizeType(column);
  return column.isArray ? `${type}[]` : type;
}
