import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { Backoff } from '@reflex/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { Topic } from '@reflex/contracts/topics';
import { MESSAGE_BUS, type MessageBus } from '@reflex/messaging';
import { OutboxRepository, type OutboxRecord } from '@reflex/persistence';
import { DELIVERY_LEDGER, type DeliveryLedger, OUTBOX_ID_HEADER } from './delivery-ledger';
import { OutboxAttemptRepository } from './outbox-attempt.repository';

const BATCH_SIZE = 100;
const MAX_BACKOFF_MS = 10_000;
/** Clock skew tolerated between the relay that noted an attempt and the broker's timestamps. */
const SEARCH_MARGIN_MS = 60_000;
const TOPICS = new Set<string>(Object.values(Topic));

/**
 * Publishes the outbox: every `outboxPollMs`, and at once when a commit has just enqueued something.
 * Each round claims a batch in id order (per-key order kept across replicas), publishes it and marks
 * it published in the claiming transaction; a broker outage leaves the batch unpublished, to be
 * retried with backoff.
 *
 * No message twice: before publishing, the relay commits a note of the attempt (on its own
 * connection). A row that is still unpublished but already noted was maybe published by a relay
 * that then died, or by a publish that failed half-way, so it is looked for on the broker (by its
 * `x-outbox-id` header) and only sent if it is not there. Delivery stays at-least-once: with no
 * broker ledger (in-process bus) an in-doubt row is sent again.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('outbox-relay');
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private wake = false;
  private stopping = false;
  private failures = 0;
  private readonly backoff: Backoff;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly attempts: OutboxAttemptRepository,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(ENGINE_CONFIG) config: EngineConfig,
    @Optional() @Inject(DELIVERY_LEDGER) private readonly ledger: DeliveryLedger | null,
  ) {
    this.pollMs = config.outboxPollMs;
    this.backoff = new Backoff({ initialMs: this.pollMs * 2, maxMs: MAX_BACKOFF_MS });
  }

  onApplicationBootstrap(): void {
    this.attempts
      .prune()
      .catch((error: unknown) => this.logger.warn(`pruning attempts: ${String(error)}`));
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Something was enqueued and committed: publish now rather than at the next poll. */
  readonly nudge = (): void => {
    if (this.stopping) return;
    if (this.running) this.wake = true;
    else this.schedule(0);
  };

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref();
  }

  private run(): void {
    if (this.running || this.stopping) return;
    this.running = this.drain()
      .then(() => {
        if (this.failures > 0) this.logger.log('outbox publishing recovered');
        this.failures = 0;
      })
      .catch((error: unknown) => {
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.logger.warn(
            `outbox publishing failed (${this.failures}x), retrying: ${(error as Error).message}`,
          );
        }
      })
      .finally(() => {
        this.running = null;
        if (this.stopping) return;
        if (this.failures === 0) this.backoff.reset();
        const delay = this.failures ? this.backoff.next() : this.wake ? 0 : this.pollMs;
        this.schedule(delay);
        this.wake = false;
      });
  }

  /** Rounds until the backlog is empty (or the relay is stopping). */
  private async drain(): Promise<void> {
    for (;;) {
      this.wake = false;
      let sent: string[] = [];
      const count = await this.outbox.publishBatch(BATCH_SIZE, async (batch) => {
        await this.deliver(batch);
        sent = batch.map((record) => record.id);
      });
      await this.attempts.forget(sent);
      if (count < BATCH_SIZE || this.stopping) return;
    }
  }

  private async deliver(batch: OutboxRecord[]): Promise<void> {
    // Without a ledger to check them against, notes change nothing; and on a single-session
    // database (PGlite) a second connection cannot answer while this transaction is open.
    const earlier = this.ledger
      ? await this.attempts.record(
          batch.map((r) => r.id),
          new Date(),
        )
      : new Map<string, Date>();
    let todo = batch;
    if (earlier.size > 0 && this.ledger) {
      const since = Math.min(...[...earlier.values()].map((d) => d.getTime())) - SEARCH_MARGIN_MS;
      const found = await this.ledger.delivered(
        batch.filter((r) => earlier.has(r.id)),
        new Date(since),
      );
      todo = batch.filter((r) => !found.has(r.id));
      this.logger.warn(
        `${earlier.size} outbox message(s) in doubt after an interrupted publish: ` +
          `${found.size} already on the broker, ${earlier.size - found.size} to send`,
      );
    }
    for (const run of byTopic(todo)) {
      await this.bus.publish(
        run.topic,
        run.records.map((r) => ({
          key: r.key,
          value: r.value,
          headers: { ...r.headers, [OUTBOX_ID_HEADER]: r.id },
        })),
      );
    }
  }
}

/**
 * The batch's rows by topic, each topic's in id order: one publish per topic. Order only means
 * something within a topic (a key's messages), and a plan's rows alternate between `plans` and
 * `driver.commands`, so publishing runs of consecutive rows cost a broker round trip per plan.
 */
function byTopic(records: readonly OutboxRecord[]): { topic: Topic; records: OutboxRecord[] }[] {
  const groups = new Map<Topic, OutboxRecord[]>();
  for (const record of records) {
    if (!TOPICS.has(record.topic)) {
      throw new Error(`outbox row ${record.id} names unknown topic ${record.topic}`);
    }
    const topic = record.topic as Topic;
    const group = groups.get(topic);
    if (group) group.push(record);
    else groups.set(topic, [record]);
  }
  return [...groups].map(([topic, rows]) => ({ topic, records: rows }));
}
