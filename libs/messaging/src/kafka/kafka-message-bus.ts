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
import { TransientError } from '@reflex/common';
import { Topic, topicName } from '@reflex/contracts/topics';
import type {
  ConsumerLag,
  HeaderValue,
  MessageBus,
  OutgoingMessage,
  Subscription,
} from '../message-bus.port';
import {
  DEFAULT_MAX_BATCH,
  encodeValue,
  handleRawBatch,
  HandlingHooks,
  RawMessage,
  RetryPolicy,
} from '../message-handling';

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
  /** Backoff between attempts to bring back a consumer that crashed for good. */
  reconnectDelayMs?: { initial: number; max: number };
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
  private readonly producer: Producer;
  private producerConnected: Promise<void> | null = null;
  private readonly consumers = new Set<Consumer>();
  /** (group, topic) of every subscription, physical names, for lag. */
  private readonly subscribed = new Map<string, { group: string; topic: string }>();
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
    // Idempotent: a retry after a lost acknowledgement does not write the message twice, and one
    // request in flight keeps each partition's order through retries.
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
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

  private connectProducer(): Promise<void> {
    if (!this.producerConnected) {
      this.producerConnected = this.producer.connect().catch((error: unknown) => {
        this.producerConnected = null;
        throw error;
      });
    }
    return this.producerConnected;
  }

  async publish(topic: Topic, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.connectProducer();
      await this.producer.send({
        topic: this.physical(topic),
        acks: -1,
        messages: messages.map((m) => ({
          key: m.key,
          value: encodeValue(m.value),
          headers: m.headers,
        })),
      });
    } catch (error) {
      throw new TransientError(`publishing to ${topic} failed: ${(error as Error).message}`, error);
    }
  }

  async subscribe<T>(subscription: Subscription<T>): Promise<void> {
    const group = `${this.options.topicPrefix}${subscription.groupId}`;
    const topic = this.physical(subscription.topic);
    this.subscribed.set(`${group}\u0000${topic}`, { group, topic });
    // Right after topics are created (or while the broker comes back) joining can fail with errors
    // the broker calls retriable, e.g. a topic-partition it does not host yet: try again, bounded.
    const deadline = Date.now() + (this.options.subscribeTimeoutMs ?? 60_000);
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.startConsumer(subscription, this.options.reconnectDelayMs?.initial ?? 500);
        return;
      } catch (error) {
        const retriable = (error as { retriable?: unknown }).retriable === true;
        if (!retriable || this.stopping || Date.now() + delay > deadline) throw error;
        this.options.logger.warn(
          `subscribing ${group} to ${topic} failed (${(error as Error).message}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async startConsumer<T>(
    subscription: Subscription<T>,
    nextDelayMs: number,
  ): Promise<void> {
    const consumer = this.kafka.consumer({
      // Deployments (and test runs) sharing a broker are told apart by TOPIC_PREFIX; their consumer
      // groups must be too, or they would rebalance with each other.
      groupId: `${this.options.topicPrefix}${subscription.groupId}`,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: Math.max(500, Math.floor((this.options.sessionTimeoutMs ?? 10_000) / 5)),
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 500,
    });
    this.consumers.add(consumer);
    // kafkajs restarts a consumer by itself after retriable failures; a crash it will not restart from
    // (the broker gone for longer than its retries) is ours to recover, with backoff.
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || this.stopping) return;
      this.options.logger.warn(
        `consumer ${subscription.groupId} crashed (${event.payload.error.message}); reconnecting in ${nextDelayMs} ms`,
      );
      this.consumers.delete(consumer);
      void consumer.disconnect().catch(() => undefined);
      const max = this.options.reconnectDelayMs?.max ?? 30_000;
      setTimeout(() => {
        if (this.stopping) return;
        this.startConsumer(subscription, Math.min(nextDelayMs * 2, max)).catch((error: unknown) =>
          this.options.logger.error(
            `reconnect of ${subscription.groupId} failed: ${String(error)}`,
          ),
        );
      }, nextDelayMs).unref();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.physical(subscription.topic), fromBeginning: true });
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
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
    if (this.subscribed.size === 0) return [];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const lags: ConsumerLag[] = [];
      for (const { group, topic } of this.subscribed.values()) {
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
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    if (this.producerConnected) await this.producer.disconnect().catch(() => undefined);
  }
}
