import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { markedRetriable, retryFor, TransientError } from '@reflex/common';
import { Topic, topicName } from '@reflex/contracts/topics';
import type {
  ConsumerLag,
  MessageBus,
  OutgoingMessage,
  Subscription,
  SubscriptionStatus,
} from '../message-bus.port';
import { encodeValue, RetryPolicy } from '../message-handling';
import { batchHandler } from './batch-handler';
import { type BusLogger, KafkaLog } from './kafka-log';
import { SupervisedConsumer } from './supervised-consumer';

const DEFAULT_RECONNECT = { initialMs: 500, maxMs: 30_000 };

export type { BusLogger } from './kafka-log';

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

async function leadersElected(admin: Admin, topics: string[]): Promise<void> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  const waiting = metadata.filter(
    (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
  );
  if (waiting.length > 0) {
    throw new TransientError(`no leader yet for ${waiting.map((t) => t.name).join(', ')}`);
  }
}

/** The Kafka transport of the messaging port, on kafkajs. */
export class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  /** The connected producer, or its connection under way; null until the next publish needs one. */
  private producer: Promise<Producer> | null = null;
  private readonly supervised = new Set<SupervisedConsumer>();
  private stopping = false;

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
      logLevel: logLevel.WARN,
      logCreator: new KafkaLog(options.logger).creator,
    });
  }

  private physical(topic: Topic): string {
    return topicName(topic, this.options.topicPrefix);
  }

  /**
   * Creates the missing topics and returns once every partition of every topic has a leader. A
   * broker that has just started (or is creating many topics at once) answers metadata requests
   * with retriable errors such as "does not host this topic-partition" for a while, which kafkajs's
   * own wait for leaders does not retry; those are retried here, bounded.
   */
  async ensureTopics(): Promise<void> {
    const names = Object.values(Topic).map((t) => this.physical(t));
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      await retryFor(
        async () => {
          const existing = new Set(await admin.listTopics());
          const missing = names.filter((name) => !existing.has(name));
          if (missing.length > 0) {
            const created = await admin.createTopics({
              topics: missing.map((topic) => ({
                topic,
                numPartitions: this.options.partitions,
                replicationFactor: this.options.replicationFactor,
              })),
            });
            if (created) this.options.logger.log(`created topics ${missing.join(', ')}`);
          }
          await leadersElected(admin, names);
        },
        { initialMs: 100, maxMs: 2000, totalMs: 60_000, retriable: markedRetriable },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
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
    try {
      await retryFor(() => supervised.start(), {
        initialMs: 200,
        maxMs: 5000,
        totalMs: this.options.subscribeTimeoutMs ?? 60_000,
        retriable: markedRetriable,
        stopping: () => this.stopping,
        onRetry: (error, delay) =>
          this.options.logger.warn(
            `subscribing ${group} to ${topic} failed (${(error as Error).message}); retrying in ${delay} ms`,
          ),
      });
    } catch (error) {
      this.supervised.delete(supervised);
      throw error;
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
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: subscription.concurrency ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: batchHandler(subscription, {
        deadLetter: (dead) => this.publish(Topic.AlarmsDlq, [dead]),
        isStopping: () => this.stopping,
        logger: this.options.logger,
        retry: this.options.retry,
      }),
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
