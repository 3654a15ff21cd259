import { Topic, topicName } from '@reflex/contracts/topics';
import type {
  ConsumerLag,
  HeaderValue,
  MessageBus,
  OutgoingMessage,
  Subscription,
  SubscriptionStatus,
} from '../message-bus.port';
import {
  DEFAULT_MAX_BATCH,
  encodeValue,
  handleRawBatch,
  RawMessage,
  RetryPolicy,
} from '../message-handling';

interface StoredMessage {
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, HeaderValue>;
}

interface GroupCursor {
  /** Next offset to deliver, per partition. */
  offsets: number[];
  running: boolean[];
}

/** Java's String.hashCode, enough to spread keys over partitions stably. */
function partitionFor(key: string | null, partitions: number, counter: number): number {
  if (key === null) return counter % partitions;
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(31, hash) + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % partitions;
}

/**
 * The all-in-one transport: topics are in-memory logs with partitions and consumer groups, so
 * handlers see the same semantics as on Kafka (order per key, at-least-once, dead-lettering).
 * Nothing survives a restart; state that must survive lives in the database (outbox, plans).
 */
export class InProcessMessageBus implements MessageBus {
  private readonly logs = new Map<string, StoredMessage[][]>();
  private readonly groups = new Map<
    string,
    { cursor: GroupCursor; subscriptions: Subscription<unknown>[] }
  >();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private counter = 0;

  constructor(
    private readonly options: {
      topicPrefix?: string;
      partitions?: number;
      retry?: RetryPolicy;
    } = {},
  ) {}

  private physical(topic: Topic): string {
    return topicName(topic, this.options.topicPrefix ?? '');
  }

  private log(name: string): StoredMessage[][] {
    let log = this.logs.get(name);
    if (!log) {
      log = Array.from({ length: this.options.partitions ?? 4 }, () => []);
      this.logs.set(name, log);
    }
    return log;
  }

  async ensureTopics(): Promise<void> {
    Object.values(Topic).forEach((t) => this.log(this.physical(t)));
  }

  async publish(topic: Topic, messages: OutgoingMessage[]): Promise<void> {
    const name = this.physical(topic);
    const log = this.log(name);
    for (const m of messages) {
      const p = partitionFor(m.key === null ? null : String(m.key), log.length, this.counter++);
      log[p].push({
        key: m.key === null ? null : Buffer.from(m.key),
        value: encodeValue(m.value),
        headers: { ...m.headers },
      });
    }
    for (const [groupKey, group] of this.groups) {
      if (groupKey.startsWith(`${name}\u0000`)) this.drain(name, group);
    }
  }

  async subscribe<T>(subscription: Subscription<T>): Promise<void> {
    const name = this.physical(subscription.topic);
    const log = this.log(name);
    const key = `${name}\u0000${subscription.groupId}`;
    let group = this.groups.get(key);
    if (!group) {
      group = {
        cursor: { offsets: log.map(() => 0), running: log.map(() => false) },
        subscriptions: [],
      };
      this.groups.set(key, group);
    }
    group.subscriptions.push(subscription as Subscription<unknown>);
    this.drain(name, group);
  }

  /** Delivers what each partition has, in order per partition, like a Kafka consumer (in batches if the subscription takes them). */
  private drain(
    name: string,
    group: { cursor: GroupCursor; subscriptions: Subscription<unknown>[] },
  ) {
    const log = this.log(name);
    log.forEach((partition, p) => {
      if (group.cursor.running[p] || this.stopping) return;
      const subscription = group.subscriptions[p % group.subscriptions.length];
      if (!subscription || group.cursor.offsets[p] >= partition.length) return;
      group.cursor.running[p] = true;
      const run = (async () => {
        const max = subscription.handleBatch ? (subscription.maxBatchSize ?? DEFAULT_MAX_BATCH) : 1;
        while (!this.stopping && group.cursor.offsets[p] < partition.length) {
          const from = group.cursor.offsets[p];
          const raws = partition.slice(from, from + max).map((stored, i): RawMessage => ({
            topic: name,
            partition: p,
            offset: String(from + i),
            ...stored,
          }));
          const done = await handleRawBatch(
            subscription,
            raws,
            {
              deadLetter: (dead) => this.publish(Topic.AlarmsDlq, [dead]),
              isStopping: () => this.stopping,
            },
            this.options.retry,
          );
          group.cursor.offsets[p] = from + done;
          if (done < raws.length) break;
        }
      })().finally(() => {
        group.cursor.running[p] = false;
        this.inFlight.delete(run);
      });
      this.inFlight.add(run);
    });
  }

  /** Every message on a topic, for the all-in-one mode's inspection and tests. */
  messages(
    topic: Topic,
  ): Array<{ key: string | null; value: Buffer; headers: Record<string, string> }> {
    return this.log(this.physical(topic))
      .flat()
      .map((m) => ({
        key: m.key ? m.key.toString('utf8') : null,
        value: m.value,
        headers: Object.fromEntries(
          Object.entries(m.headers).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
        ),
      }));
  }

  async consumerLag(): Promise<ConsumerLag[]> {
    return [...this.groups.entries()].map(([key, group]) => {
      const [topic, name] = key.split('\u0000');
      const log = this.log(topic);
      const lag = log.reduce(
        (sum, partition, p) => sum + partition.length - group.cursor.offsets[p],
        0,
      );
      return { group: name, topic, lag };
    });
  }

  async isHealthy(): Promise<boolean> {
    return !this.stopping;
  }

  /** In one process nothing can cut a subscription off: each is connected until the bus closes. */
  subscriptions(): SubscriptionStatus[] {
    return [...this.groups.entries()].map(([key]) => {
      const [topic, group] = key.split('\u0000');
      return { group, topic, connected: !this.stopping, downSince: null, reason: null };
    });
  }

  async close(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }
}
