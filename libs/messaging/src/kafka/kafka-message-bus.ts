import {
  Admin,
  Consumer,
  IHeaders,
  Kafka,
  logLevel,
  LogEntry,
  Partitioners,
  Producer,
} from 'kafkajs';
import { Backoff, TransientError } from '@reflex/common';
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
  HandlingHooks,
  RawMessage,
  RetryPolicy,
} from '../message-handling';
import { SupervisedConsumer } from './supervised-consumer';

const DEFAULT_RECONNECT = { initialMs: 500, maxMs: 30_000 };

export interface BusLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** Partitions for topics this service creates; -1 takes the broker's default. */
  partitions: number;
  /** -1 takes the broker's default. */
  replicationFactor: number;
  sessionTimeoutMs?: number;
  fetchMaxWaitMs?: number;
  /** How long `subscribe` keeps retrying retriable join errors. */
  subscribeTimeoutMs?: number;
  logger: BusLogger;
  retry?: RetryPolicy;
  /** Backoff between attempts to bring back a consumer that crashed for good (no limit on attempts). */
  reconnectDelayMs?: { initialMs: number; maxMs: number };
}

/** Headers as they arrived (bytes, repeats): decoding is the handling's, so a dead letter is verbatim. */
function headersOf(headers: IHeaders | undefined): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The Kafka transport of the messaging port, on kafkajs. */
export class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  /** The connected producer, or its connection under way; null until the next publish needs one. */
  private producer: Promise<Producer> | null = null;
  private readonly supervised = new Set<SupervisedConsumer>();
  private stopping = false;

  constructor(private readonly options: KafkaBusOptions) {
    const logger = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...rest } = log;
          const text = `kafka: ${message} ${JSON.stringify(rest)}`;
          // kafkajs logs at ERROR what it then retries (leader moves, coordinator loading); failures
          // that matter reach us as rejected calls or consumer crashes, which we log ourselves.
          if (level <= logLevel.ERROR || level === logLevel.WARN) logger.warn(text);
        },
    });
  }

  private physical(topic: Topic): string {
    return topicName(topic, this.options.topicPrefix);
  }

  async ensureTopics(): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = Object.values(Topic)
        .map((t) => this.physical(t))
        .filter((name) => !existing.has(name));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.options.partitions,
          replicationFactor: this.options.replicationFactor,
        })),
      });
      this.options.logger.log(`created topics ${missing.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }

  private connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      // Idempotent: a retry after a lost acknowledgement does not write the message twice, and one
      // request in flight keeps each partition's order through retries.
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      this.producer = producer.connect().then(() => producer);
    }
    return this.producer;
  }

  /**
   * After a failed send the producer is replaced, not reused: one that lost its broker may hold
   * connections or idempotence sequence numbers that the broker no longer agrees with, and kafkajs
   * does not always recover them. The next publish (the outbox relay retries) connects a fresh one,
   * so publishing comes back whenever the broker does, however long it was away.
   */
  private discardProducer(failed: Promise<Producer>): void {
    if (this.producer !== failed) return;
    this.producer = null;
    void failed.then((p) => p.disconnect()).catch(() => undefined);
  }

  async publish(topic: Topic, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = this.connectedProducer();
    try {
      await (
        await producer
      ).send({
        topic: this.physical(topic),
        acks: -1,
        messages: messages.map((m) => ({
          key: m.key,
          value: encodeValue(m.value),
          headers: m.headers,
        })),
      });
    } catch (error) {
      this.discardProducer(producer);
      throw new TransientError(`publishing to ${topic} failed: ${(error as Error).message}`, error);
    }
  }

  async subscribe<T>(subscription: Subscription<T>): Promise<void> {
    const group = `${this.options.topicPrefix}${subscription.groupId}`;
    const topic = this.physical(subscription.topic);
    const supervised = new SupervisedConsumer(
      {
        group,
        topic,
        create: () => this.createConsumer(group),
        launch: (consumer) => this.runConsumer(consumer, subscription),
      },
      this.options.reconnectDelayMs ?? DEFAULT_RECONNECT,
      this.options.logger,
    );
    this.supervised.add(supervised);
    // Right after topics are created (or while the broker comes back) joining can fail with errors
    // the broker calls retriable, e.g. a topic-partition it does not host yet: try again, bounded.
    // Once started, the supervisor keeps the subscription alive without bound.
    const deadline = Date.now() + (this.options.subscribeTimeoutMs ?? 60_000);
    const backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
    for (;;) {
      try {
        await supervised.start();
        return;
      } catch (error) {
        const retriable = (error as { retriable?: unknown }).retriable === true;
        const delay = backoff.next();
        if (!retriable || this.stopping || Date.now() + delay > deadline) {
          this.supervised.delete(supervised);
          throw error;
        }
        this.options.logger.warn(
          `subscribing ${group} to ${topic} failed (${(error as Error).message}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  subscriptions(): SubscriptionStatus[] {
    return [...this.supervised].map((s) => s.status());
  }

  private createConsumer(groupId: string): Consumer {
    return this.kafka.consumer({
      // Deployments (and test runs) sharing a broker are told apart by TOPIC_PREFIX; their consumer
      // groups must be too, or they would rebalance with each other.
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(500, Math.floor((this.options.sessionTimeoutMs ?? 10_000) / 5)),
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 500,
      // Every crash comes to the supervisor, which restarts without limit: kafkajs's own restart
      // covers only errors it calls retriable, so with two owners a crash it would not restart
      // from depended on when in an outage it fell (issue 13).
      retry: { restartOnFailure: async () => false },
    });
  }

  private async runConsumer<T>(consumer: Consumer, subscription: Subscription<T>): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: this.physical(subscription.topic), fromBeginning: true });
    const hooks = (heartbeat: () => Promise<void>): HandlingHooks => ({
      deadLetter: (dead) => this.publish(Topic.AlarmsDlq, [dead]),
      isStopping: () => this.stopping,
      onError: (error, raw, attempt) => {
        void heartbeat().catch(() => undefined);
        this.options.logger.warn(
          `handler for ${raw.topic}/${raw.partition}@${raw.offset} failed (attempt ${attempt}): ${(error as Error).message}`,
        );
      },
      // kafkajs sends a heartbeat only when one is due, so this is cheap between messages; without
      // it a long run of slow messages outlived the session and cost the group a rebalance.
      between: () => heartbeat().catch(() => undefined),
      onBatchError: (error, first, size) => {
        void heartbeat().catch(() => undefined);
        this.options.logger.warn(
          `batch of ${size} from ${first.topic}/${first.partition}@${first.offset} failed (${(error as Error).message}); handling them one by one`,
        );
      },
    });
    const maxBatch = subscription.maxBatchSize ?? DEFAULT_MAX_BATCH;
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: subscription.concurrency ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const handling = hooks(heartbeat);
        for (let from = 0; from < batch.messages.length; from += maxBatch) {
          if (!isRunning() || isStale()) return;
          const raws = batch.messages.slice(from, from + maxBatch).map((message): RawMessage => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: headersOf(message.headers),
          }));
          const done = await handleRawBatch(subscription, raws, handling, this.options.retry);
          if (done > 0) resolveOffset(raws[done - 1].offset);
          // Leaving the offset uncommitted makes the broker redeliver the rest to whoever consumes next.
          if (done < raws.length)
            throw new TransientError('consumer stopping; messages left for redelivery');
          await heartbeat();
        }
      },
    });
  }

  async consumerLag(): Promise<ConsumerLag[]> {
    if (this.supervised.size === 0) return [];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const lags: ConsumerLag[] = [];
      for (const { group, topic } of this.subscriptions()) {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
        const at = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
        // A partition the group never committed on counts from its low watermark (fromBeginning).
        const lag = ends.reduce((sum, p) => {
          const position = at.get(p.partition) ?? -1;
          return sum + Number(p.high) - (position >= 0 ? position : Number(p.low));
        }, 0);
        lags.push({ group, topic, lag });
      }
      return lags;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async isHealthy(): Promise<boolean> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    // disconnect() stops fetching, waits for the in-flight eachMessage calls, commits their offsets.
    await Promise.allSettled([...this.supervised].map((s) => s.stop()));
    this.supervised.clear();
    const producer = this.producer;
    this.producer = null;
    if (producer) await producer.then((p) => p.disconnect()).catch(() => undefined);
  }
}
