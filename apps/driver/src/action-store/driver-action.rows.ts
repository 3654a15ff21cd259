// driver_actions in SQL: its row, the record made of it, the lease and lock fragments the
// repository's statements share, and how their answers are read.
import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { DataSource } from 'typeorm';
import type { BackendHandle } from '../backends/backend.port';
import { keyOf, type ActionKey, type DriverActionRecord } from './driver-action.record';

/** A driver_actions row as pg answers it. */
export interface Row {
  action_id: string;
  attempt: number;
  plan_id: string;
  type: DriverActionRecord['type'];
  params: DriverActionRecord['params'];
  deadline: Date;
  backend: DriverActionRecord['backend'];
  status: DriverActionRecord['status'];
  handle: BackendHandle | null;
  final_event: DriverEventV1 | null;
  final_published_at: Date | null;
  owner: string | null;
  abort_requested_at: Date | null;
  force_complete_requested_at: Date | null;
}

/** A lease end on the database clock, `param` milliseconds from now. */
const LEASE = `now() + $LEASE * interval '1 millisecond'`;
export const lease = (param: number) => LEASE.replace('$LEASE', `$${param}`);

export function toRecord(row: Row): DriverActionRecord {
  return {
    actionId: row.action_id,
    attempt: row.attempt,
    planId: row.plan_id,
    type: row.type,
    params: row.params,
    deadline: new Date(row.deadline).toISOString(),
    backend: row.backend,
    status: row.status,
    handle: row.handle,
    finalEvent: row.final_event,
    finalPublished: row.final_published_at !== null,
    owner: row.owner,
    abortRequested: row.abort_requested_at !== null,
    forceCompleteRequested: row.force_complete_requested_at !== null,
  };
}

/**
 * The rows named by `batch` (a relation with action_id and attempt) that meet `where`, locked in
 * key order: every statement here that changes several rows locks them in this one order, so two
 * of them (a heartbeat and a batch of final events) wait for each other but never deadlock.
 */
export const lockedInOrder = (batch: string, where = 'true') =>
  `SELECT d.action_id, d.attempt FROM driver_actions d
   JOIN ${batch} v ON d.action_id = v.action_id AND d.attempt = v.attempt
   WHERE ${where}
   ORDER BY d.action_id, d.attempt
   FOR UPDATE OF d`;

/** pg answers UPDATE ... RETURNING as [rows, count] through TypeORM's query(), SELECT as rows. */
async function query<R>(dataSource: DataSource, sql: string, params: unknown[]): Promise<R[]> {
  const result = await dataSource.query<R[] | [R[], number]>(sql, params);
  return Array.isArray(result[0]) ? result[0] : (result as R[]);
}

/** The records a statement returned (`RETURNING *` or a SELECT). */
export async function recordsOf(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
): Promise<DriverActionRecord[]> {
  return (await query<Row>(dataSource, sql, params)).map(toRecord);
}

/** How many rows a statement returned. */
export async function countOf(
  dataSource: DataSource,
  sql: string,
  params: unknown[],
): Promise<number> {
  return (await query<unknown>(dataSource, sql, params)).length;
}

/**
 * Runs a batch statement over `items`' keys ($1, $2, then `more` columns), returning the keys of
 * the rows it changed: which items it changed.
 */
export async function changedItems(
  dataSource: DataSource,
  sql: string,
  items: ActionKey[],
  more: unknown[][],
): Promise<boolean[]> {
  const rows = await query<Row>(dataSource, sql, [
    items.map((i) => i.actionId),
    items.map((i) => i.attempt),
    ...more,
  ]);
  const done = new Set(rows.map((r) => keyOf({ actionId: r.action_id, attempt: r.attempt })));
  return items.map((i) => done.has(keyOf(i)));
}
