import { Inject, Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { DataSource } from 'typeorm';

/**
 * All SQL over `outbox_attempts`. Deliberately outside the relay's claiming transaction, on a
 * connection of its own: a note must be committed before the publish it announces, and survive the
 * claiming transaction when a crash rolls that back.
 */
/** Longest a note waits for a lock; an uncontended note takes milliseconds. */
export const NOTE_LOCK_TIMEOUT_MS = 5000;

@Injectable()
export class OutboxAttemptRepository {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /**
   * Notes that the rows are about to be published (at `at`, the relay's clock) and returns the rows
   * that had been noted before, with the time of their first attempt: those may be on the broker.
   */
  async record(ids: readonly string[], at: Date): Promise<Map<string, Date>> {
    if (ids.length === 0) return new Map();
    const rows = await this.uow.transaction(async () => {
      const m = this.uow.manager;
      // The claiming transaction holds the batch's row locks while it waits for this note. A note
      // queued behind a lock on outbox_attempts whose holder waits for those row locks (a TRUNCATE
      // or an ALTER of both tables) would wait forever, in a cycle through this process that
      // PostgreSQL cannot see. Give up instead: the claim rolls back, and the relay tries again.
      await m.query(`SET LOCAL lock_timeout = '${NOTE_LOCK_TIMEOUT_MS}ms'`);
      // A CTE sees the table as it was before the statement, so `earlier` excludes this insert.
      return m.query<{ outbox_id: string; attempted_at: Date }[]>(
        `WITH earlier AS (
           SELECT outbox_id, attempted_at FROM outbox_attempts WHERE outbox_id = ANY($1::bigint[])
         ), noted AS (
           INSERT INTO outbox_attempts (outbox_id, attempted_at)
           SELECT id, $2 FROM unnest($1::bigint[]) AS t(id)
           ON CONFLICT (outbox_id) DO NOTHING
         )
         SELECT outbox_id::text AS outbox_id, attempted_at FROM earlier`,
        [ids, at],
      );
    });
    return new Map(rows.map((row) => [row.outbox_id, row.attempted_at]));
  }

  /** Notes of rows that are published are of no more use. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(`DELETE FROM outbox_attempts WHERE outbox_id = ANY($1::bigint[])`, [
      ids,
    ]);
  }

  /** Removes notes left by a relay that died between its commit and `forget`. */
  async prune(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM outbox_attempts a
       WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = a.outbox_id AND o.published_at IS NULL)`,
    );
  }
}
