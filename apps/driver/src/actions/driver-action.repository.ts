import { Inject, Injectable } from '@nestjs/common';
import type { DriverCommandV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import { DataSource } from 'typeorm';
import type { BackendHandle } from '../backends/backend.port';
import type { ActionKey, DriverActionRecord } from './driver-action.record';

interface Row {
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

export interface LeaseRenewal extends ActionKey {
  abortRequested: boolean;
  forceCompleteRequested: boolean;
}

const LEASE = `now() + $LEASE * interval '1 millisecond'`;
const lease = (param: number) => LEASE.replace('$LEASE', `$${param}`);

function toRecord(row: Row): DriverActionRecord {
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
 * `driver_actions`: every statement that decides who runs an action is a single conditional
 * INSERT or UPDATE, so PostgreSQL's row locks, not the replicas' timing, pick the one winner.
 * Lease times use the database clock, never a replica's.
 */
@Injectable()
export class DriverActionRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private async rows(sql: string, params: unknown[]): Promise<DriverActionRecord[]> {
    // pg answers UPDATE ... RETURNING as [rows, count] through TypeORM's query().
    const result = await this.dataSource.query<Row[] | [Row[], number]>(sql, params);
    const rows = Array.isArray(result[0]) ? result[0] : (result as Row[]);
    return rows.map(toRecord);
  }

  private async count(sql: string, params: unknown[]): Promise<number> {
    const result = await this.dataSource.query<unknown[] | [unknown[], number]>(sql, params);
    return Array.isArray(result[0]) ? (result[0] as unknown[]).length : result.length;
  }

  /** Records an accepted command and claims it for `owner`; null when it was known already. */
  async claim(
    command: DriverCommandV1,
    backend: DriverBackend,
    owner: string,
    leaseMs: number,
  ): Promise<DriverActionRecord | null> {
    const [record] = await this.rows(
      `INSERT INTO driver_actions
         (action_id, attempt, plan_id, type, params, deadline, backend, status, owner, lease_expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, 'accepted', $8, ${lease(9)})
       ON CONFLICT (action_id, attempt) DO NOTHING
       RETURNING *`,
      [
        command.actionId,
        command.attempt,
        command.planId,
        command.type,
        JSON.stringify(command.params ?? {}),
        command.deadline,
        backend,
        owner,
        leaseMs,
      ],
    );
    return record ?? null;
  }

  /**
   * Records a command the driver answers without running (unknown action, unusable command) as
   * final at once, so that no later command for the same attempt can run it and report a second
   * result. Returns the row now stored: this one, or the one that was there first.
   */
  async recordAnswered(
    command: DriverCommandV1,
    event: DriverEventV1,
  ): Promise<DriverActionRecord> {
    const [inserted] = await this.rows(
      `INSERT INTO driver_actions
         (action_id, attempt, plan_id, type, params, deadline, backend, status, final_event, finished_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, 'none', $7, $8::jsonb, now())
       ON CONFLICT (action_id, attempt) DO NOTHING
       RETURNING *`,
      [
        command.actionId,
        command.attempt,
        command.planId,
        String(command.type),
        JSON.stringify(command.params ?? {}),
        Number.isNaN(Date.parse(command.deadline)) ? new Date() : command.deadline,
        event.status,
        JSON.stringify(event),
      ],
    );
    return inserted ?? (await this.find(command))!;
  }

  async find(key: ActionKey): Promise<DriverActionRecord | null> {
    const [record] = await this.rows(
      `SELECT * FROM driver_actions WHERE action_id = $1 AND attempt = $2`,
      [key.actionId, key.attempt],
    );
    return record ?? null;
  }

  /** Takes an unfinished action whose owner is gone (lease expired) or is `owner` itself. */
  async takeOver(
    key: ActionKey,
    owner: string,
    leaseMs: number,
  ): Promise<DriverActionRecord | null> {
    const [record] = await this.rows(
      `UPDATE driver_actions SET owner = $3, lease_expires_at = ${lease(4)}
       WHERE action_id = $1 AND attempt = $2 AND finished_at IS NULL
         AND (owner = $3 OR owner IS NULL OR lease_expires_at < now())
       RETURNING *`,
      [key.actionId, key.attempt, owner, leaseMs],
    );
    return record ?? null;
  }

  /** Every unfinished action left by a replica that stopped renewing, and `owner`'s own. */
  async takeOverOrphans(
    owner: string,
    leaseMs: number,
    limit = 100,
  ): Promise<DriverActionRecord[]> {
    return this.rows(
      `UPDATE driver_actions d SET owner = $1, lease_expires_at = ${lease(2)}
       FROM (
         SELECT action_id, attempt FROM driver_actions
         WHERE finished_at IS NULL
           AND (owner = $1 OR owner IS NULL OR lease_expires_at < now())
         ORDER BY accepted_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ) o
       WHERE d.action_id = o.action_id AND d.attempt = o.attempt
       RETURNING d.*`,
      [owner, leaseMs, limit],
    );
  }

  /** The heartbeat: extends `owner`'s leases; what it returns is what `owner` still holds. */
  async renewLeases(owner: string, leaseMs: number): Promise<LeaseRenewal[]> {
    const records = await this.rows(
      `UPDATE driver_actions SET lease_expires_at = ${lease(2)}
       WHERE owner = $1 AND finished_at IS NULL
       RETURNING *`,
      [owner, leaseMs],
    );
    return records.map((r) => ({
      actionId: r.actionId,
      attempt: r.attempt,
      abortRequested: r.abortRequested,
      forceCompleteRequested: r.forceCompleteRequested,
    }));
  }

  /** On a graceful stop: the actions stay unfinished, and any replica may take them at once. */
  async releaseLeases(owner: string): Promise<number> {
    return this.count(
      `UPDATE driver_actions SET lease_expires_at = now()
       WHERE owner = $1 AND finished_at IS NULL RETURNING action_id`,
      [owner],
    );
  }

  /** False when `owner` no longer holds the action (another replica took it over). */
  async recordHandle(key: ActionKey, owner: string, handle: BackendHandle): Promise<boolean> {
    const n = await this.count(
      `UPDATE driver_actions SET handle = $4::jsonb, status = 'running'
       WHERE action_id = $1 AND attempt = $2 AND owner = $3 AND finished_at IS NULL
       RETURNING action_id`,
      [key.actionId, key.attempt, owner, JSON.stringify(handle)],
    );
    return n === 1;
  }

  /**
   * Records the action's one final event. Only the owner of an unfinished action can, so of two
   * replicas that both reached an end (one of them after losing its lease) exactly one records,
   * and only that one publishes. False when this call was not the one.
   */
  async recordFinal(key: ActionKey, owner: string, event: DriverEventV1): Promise<boolean> {
    const n = await this.count(
      `UPDATE driver_actions
       SET status = $4, final_event = $5::jsonb, finished_at = now(), owner = NULL,
           lease_expires_at = NULL
       WHERE action_id = $1 AND attempt = $2 AND owner = $3 AND finished_at IS NULL
       RETURNING action_id`,
      [key.actionId, key.attempt, owner, event.status, JSON.stringify(event)],
    );
    return n === 1;
  }

  async markPublished(key: ActionKey): Promise<void> {
    await this.dataSource.query(
      `UPDATE driver_actions SET final_published_at = now()
       WHERE action_id = $1 AND attempt = $2 AND final_published_at IS NULL`,
      [key.actionId, key.attempt],
    );
  }

  /**
   * Final events recorded at least `graceMs` ago and still not acknowledged by the broker: their
   * publisher failed or died. The grace leaves a live publisher time to finish its own.
   */
  async unpublishedFinals(graceMs: number, limit = 100): Promise<DriverActionRecord[]> {
    return this.rows(
      `SELECT * FROM driver_actions
       WHERE finished_at IS NOT NULL AND final_published_at IS NULL
         AND finished_at < now() - $1 * interval '1 millisecond'
       ORDER BY finished_at
       LIMIT $2`,
      [graceMs, limit],
    );
  }

  /** Notes an operator's request on an unfinished action, for whichever replica watches it. */
  async request(key: ActionKey, what: 'abort' | 'force-complete'): Promise<boolean> {
    const column = what === 'abort' ? 'abort_requested_at' : 'force_complete_requested_at';
    const n = await this.count(
      `UPDATE driver_actions SET ${column} = coalesce(${column}, now())
       WHERE action_id = $1 AND attempt = $2 AND finished_at IS NULL
       RETURNING action_id`,
      [key.actionId, key.attempt],
    );
    return n === 1;
  }
}
