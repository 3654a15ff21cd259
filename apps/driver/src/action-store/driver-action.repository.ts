import { Inject, Injectable } from '@nestjs/common';
import type { DriverCommandV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import { DataSource } from 'typeorm';
import { Batcher } from '../batching/batcher';
import type { BackendHandle } from '../backends/backend.port';
import { keyOf, type ActionKey, type DriverActionRecord } from './driver-action.record';
import { changedItems, countOf, lease, lockedInOrder, recordsOf } from './driver-action.rows';

export interface LeaseRenewal extends ActionKey {
  abortRequested: boolean;
  forceCompleteRequested: boolean;
}

interface Owned extends ActionKey {
  owner: string;
}

/**
 * `driver_actions`: every statement that decides who runs an action is a conditional INSERT or
 * UPDATE, so PostgreSQL's row locks, not the replicas' timing, pick the one winner. Lease times
 * use the database clock, never a replica's.
 *
 * The writes every action makes on its way (its handle, its final event, the mark that it was
 * published) are group-committed (`Batcher`): one statement for all the actions that reached that
 * step while the previous statement ran, each row still under its own condition.
 */
@Injectable()
export class DriverActionRepository {
  private readonly handles = new Batcher<Owned & { handle: BackendHandle }, boolean>(
    (items) =>
      this.changed(
        `WITH v AS (SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::jsonb[])
                      v(action_id, attempt, owner, handle)),
              l AS (${lockedInOrder('v', 'd.owner = v.owner AND d.finished_at IS NULL')})
         UPDATE driver_actions d SET handle = v.handle, status = 'running'
         FROM l JOIN v ON l.action_id = v.action_id AND l.attempt = v.attempt
         WHERE d.action_id = l.action_id AND d.attempt = l.attempt
           AND d.owner = v.owner AND d.finished_at IS NULL
         RETURNING d.action_id, d.attempt`,
        items,
        [items.map((i) => i.owner), items.map((i) => JSON.stringify(i.handle))],
      ),
    keyOf,
  );

  private readonly finals = new Batcher<Owned & { event: DriverEventV1 }, boolean>(
    (items) =>
      this.changed(
        `WITH v AS (SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[],
                                         $5::jsonb[]) v(action_id, attempt, owner, status, event)),
              l AS (${lockedInOrder('v', 'd.owner = v.owner AND d.finished_at IS NULL')})
         UPDATE driver_actions d
         SET status = v.status, final_event = v.event, finished_at = now(), owner = NULL,
             lease_expires_at = NULL
         FROM l JOIN v ON l.action_id = v.action_id AND l.attempt = v.attempt
         WHERE d.action_id = l.action_id AND d.attempt = l.attempt
           AND d.owner = v.owner AND d.finished_at IS NULL
         RETURNING d.action_id, d.attempt`,
        items,
        [
          items.map((i) => i.owner),
          items.map((i) => i.event.status),
          items.map((i) => JSON.stringify(i.event)),
        ],
      ),
    keyOf,
  );

  private readonly published = new Batcher<ActionKey, boolean>(
    (items) =>
      this.changed(
        `WITH v AS (SELECT * FROM unnest($1::text[], $2::integer[]) v(action_id, attempt)),
              l AS (${lockedInOrder('v', 'd.final_published_at IS NULL')})
         UPDATE driver_actions d SET final_published_at = now()
         FROM l WHERE d.action_id = l.action_id AND d.attempt = l.attempt
           AND d.final_published_at IS NULL
         RETURNING d.action_id, d.attempt`,
        items,
        [],
      ),
    keyOf,
  );

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private changed(sql: string, items: ActionKey[], more: unknown[][]): Promise<boolean[]> {
    return changedItems(this.dataSource, sql, items, more);
  }

  private rows(sql: string, params: unknown[]): Promise<DriverActionRecord[]> {
    return recordsOf(this.dataSource, sql, params);
  }

  private count(sql: string, params: unknown[]): Promise<number> {
    return countOf(this.dataSource, sql, params);
  }

  /** Records an accepted command and claims it for `owner`; null when it was known already. */
  async claim(
    command: DriverCommandV1,
    backend: DriverBackend,
    owner: string,
    leaseMs: number,
  ): Promise<DriverActionRecord | null> {
    const [record] = await this.claimAll([{ command, backend }], owner, leaseMs);
    return record;
  }

  /**
   * `claim` for several commands in one INSERT (distinct actions). Rows go in in key order, so two
   * replicas claiming overlapping commands wait for each other instead of deadlocking.
   */
  async claimAll(
    commands: { command: DriverCommandV1; backend: DriverBackend }[],
    owner: string,
    leaseMs: number,
  ): Promise<(DriverActionRecord | null)[]> {
    const records = await this.rows(
      `INSERT INTO driver_actions
         (action_id, attempt, plan_id, type, params, deadline, backend, status, owner, lease_expires_at)
       SELECT v.action_id, v.attempt, v.plan_id, v.type, v.params, v.deadline, v.backend,
              'accepted', $8, ${lease(9)}
       FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::jsonb[],
                   $6::timestamptz[], $7::text[])
         v(action_id, attempt, plan_id, type, params, deadline, backend)
       ORDER BY v.action_id, v.attempt
       ON CONFLICT (action_id, attempt) DO NOTHING
       RETURNING *`,
      [
        commands.map((c) => c.command.actionId),
        commands.map((c) => c.command.attempt),
        commands.map((c) => c.command.planId),
        commands.map((c) => c.command.type),
        commands.map((c) => JSON.stringify(c.command.params ?? {})),
        commands.map((c) => c.command.deadline),
        commands.map((c) => c.backend),
        owner,
        leaseMs,
      ],
    );
    const claimed = new Map(records.map((r) => [keyOf(r), r]));
    return commands.map((c) => claimed.get(keyOf(c.command)) ?? null);
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
      `UPDATE driver_actions d SET lease_expires_at = ${lease(2)}
       FROM (SELECT action_id, attempt FROM driver_actions
             WHERE owner = $1 AND finished_at IS NULL
             ORDER BY action_id, attempt FOR UPDATE) l
       WHERE d.action_id = l.action_id AND d.attempt = l.attempt
         AND d.owner = $1 AND d.finished_at IS NULL
       RETURNING d.*`,
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
      `UPDATE driver_actions d SET lease_expires_at = now()
       FROM (SELECT action_id, attempt FROM driver_actions
             WHERE owner = $1 AND finished_at IS NULL
             ORDER BY action_id, attempt FOR UPDATE) l
       WHERE d.action_id = l.action_id AND d.attempt = l.attempt
         AND d.owner = $1 AND d.finished_at IS NULL
       RETURNING d.action_id`,
      [owner],
    );
  }

  /** False when `owner` no longer holds the action (another replica took it over). */
  recordHandle(key: ActionKey, owner: string, handle: BackendHandle): Promise<boolean> {
    return this.handles.submit({ actionId: key.actionId, attempt: key.attempt, owner, handle });
  }

  /**
   * Records the action's one final event. Only the owner of an unfinished action can, so of two
   * replicas that both reached an end (one of them after losing its lease) exactly one records,
   * and only that one publishes. False when this call was not the one.
   */
  recordFinal(key: ActionKey, owner: string, event: DriverEventV1): Promise<boolean> {
    return this.finals.submit({ actionId: key.actionId, attempt: key.attempt, owner, event });
  }

  async markPublished(key: ActionKey): Promise<void> {
    await this.published.submit({ actionId: key.actionId, attempt: key.attempt });
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
