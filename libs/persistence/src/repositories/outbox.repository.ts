import { OutboxMessageEntity } from '../entities/outbox-message.entity';
import { bulkInsert } from '../bulk-insert';
import type { UnitOfWork } from '../unit-of-work';

/** A message to publish once the surrounding transaction commits. */
export interface OutboxMessage {
  /** The logical topic (`Topic` of @reflex/contracts); the relay applies TOPIC_PREFIX. */
  topic: string;
  key: string | null;
  /** Any JSON value except null (stored as jsonb). */
  value: unknown;
  headers?: Record<string, string>;
}

/** A stored outbox message, as the relay sees it. */
export interface OutboxRecord {
  id: string;
  topic: string;
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
  createdAt: Date;
}

/**
 * Locks up to $1 unpublished rows in id order, skipping rows another relay holds, then keeps only
 * rows with no earlier unpublished row of the same (topic, key) outside this batch. So several
 * relays share the load without breaking per-key order: a key whose head is held elsewhere waits
 * for the next round. Rows dropped by the filter stay locked until commit, which is harmless.
 */
const CLAIM_SQL = `
  WITH locked AS (
    SELECT id FROM outbox
    WHERE published_at IS NULL
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
  )
  SELECT o.id, o.topic, o.key, o.value, o.headers, o.created_at
  FROM outbox o
  JOIN locked l ON l.id = o.id
  WHERE NOT EXISTS (
    SELECT 1 FROM outbox e
    WHERE e.published_at IS NULL
      AND e.topic = o.topic
      AND e.key = o.key
      AND e.id < o.id
      AND e.id NOT IN (SELECT id FROM locked)
  )
  ORDER BY o.id`;

interface ClaimedRow {
  id: string;
  topic: string;
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * The transactional outbox. Writers `enqueue` inside the transaction of the change the message
 * announces; the relay calls `publishBatch` in a loop. Delivery is at-least-once: a relay that
 * crashes after publishing and before committing publishes the batch again, which consumers absorb
 * by being idempotent.
 *
 * Per-key order is the order of ids, which is commit order as long as transactions that write the
 * same key are serialised (they are: each first locks the plan or action the key names).
 */
export class OutboxRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Adds messages within the current transaction; returns their ids in order. */
  async enqueue(messages: OutboxMessage | readonly OutboxMessage[]): Promise<string[]> {
    const list = Array.isArray(messages) ? messages : [messages as OutboxMessage];
    if (list.length === 0) return [];
    const rows = await bulkInsert<OutboxMessageEntity, { id: string }>(
      this.uow.manager,
      OutboxMessageEntity,
      list.map((m) => ({ topic: m.topic, key: m.key, value: m.value, headers: m.headers ?? {} })),
      ['id'],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Locks and returns a batch of unpublished messages, oldest first, skipping rows that another
   * relay holds. Must run inside a transaction, which holds the locks until `markPublished` commits.
   */
  async claimBatch(limit: number): Promise<OutboxRecord[]> {
    if (!this.uow.inTransaction) {
      throw new Error('claimBatch must run inside a transaction, or its row locks end at once');
    }
    const rows = await this.uow.manager.query<ClaimedRow[]>(CLAIM_SQL, [limit]);
    return rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      key: row.key,
      value: row.value,
      headers: row.headers,
      createdAt: row.created_at,
    }));
  }

  /** Marks claimed messages published, in the transaction that claimed them. */
  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.uow.manager.query(
      'UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL',
      [ids],
    );
  }

  /**
   * One relay round: claims up to `limit` messages, hands them to `publish` (which must send them
   * in array order and resolve only once the broker has acknowledged them), marks them published
   * and commits. If `publish` throws, nothing is marked and the batch is claimed again later.
   * Returns how many messages were published.
   */
  async publishBatch(
    limit: number,
    publish: (messages: OutboxRecord[]) => Promise<void>,
  ): Promise<number> {
    return this.uow.transaction(async () => {
      const batch = await this.claimBatch(limit);
      if (batch.length === 0) return 0;
      await publish(batch);
      await this.markPublished(batch.map((message) => message.id));
      return batch.length;
    });
  }
}
