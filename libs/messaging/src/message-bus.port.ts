import type { Topic } from '@reflex/contracts/topics';

/**
 * A header as it travels: bytes or text, several values when the name repeats. Reflex's own
 * messages carry strings; a dead letter carries the original's bytes.
 */
export type HeaderValue = string | Buffer | Array<string | Buffer>;

/**
 * A message to publish. `value` objects are sent as JSON; a Buffer or string is sent verbatim, and
 * so are a Buffer key and Buffer headers (a dead letter keeps the bytes that could not be read).
 */
export interface OutgoingMessage {
  key: string | Buffer | null;
  value: unknown;
  headers?: Record<string, HeaderValue>;
}

export interface IncomingMessage<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  headers: Record<string, string>;
  /** The bytes as they arrived, for dead-lettering verbatim. */
  raw: Buffer;
  /** A stable id for idempotency: `<topic>/<partition>/<offset>`. */
  messageId: string;
}

export interface Subscription<T> {
  topic: Topic;
  /** Consumer group; replicas of one service share it. */
  groupId: string;
  /**
   * Parses and validates the raw bytes. Throwing a non-retriable error (ValidationError) sends the
   * message to the dead-letter topic with the error as its reason; the consumer moves on.
   */
  decode: (raw: Buffer) => T;
  handle: (message: IncomingMessage<T>) => Promise<void>;
  /**
   * Optional: several decoded messages of one partition, in order, in one call, which must be
   * atomic (all handled, or none and it throws). When it throws, the messages are handed to
   * `handle` one by one, with the usual retry and dead-lettering, so a batch that fails costs its
   * speed, never a message.
   */
  handleBatch?: (messages: IncomingMessage<T>[]) => Promise<void>;
  /** Most messages per `handleBatch` call (default 500). */
  maxBatchSize?: number;
  /** Partitions processed in parallel; order is kept within a partition (i.e. per key). */
  concurrency?: number;
}

/**
 * The messaging port. Engine and driver talk to Kafka, or to the in-process bus of the all-in-one
 * mode, only through this interface, so the transport (and the Kafka client) can be swapped.
 */
export interface MessageBus {
  /** Creates the topics this deployment uses (idempotent). */
  ensureTopics(): Promise<void>;
  publish(topic: Topic, messages: OutgoingMessage[]): Promise<void>;
  subscribe<T>(subscription: Subscription<T>): Promise<void>;
  /** Messages not yet consumed, per consumer group and topic, for the `/metrics` gauge. */
  consumerLag(): Promise<ConsumerLag[]>;
  /** True when the transport can currently reach its broker. */
  isHealthy(): Promise<boolean>;
  /** Each subscription of this process: joined and consuming, or since when it is not. */
  subscriptions(): SubscriptionStatus[];
  /** Stops fetching, finishes in-flight handlers, commits their offsets, disconnects. */
  close(): Promise<void>;
}

export interface ConsumerLag {
  group: string;
  topic: string;
  lag: number;
}

export interface SubscriptionStatus {
  group: string;
  topic: string;
  connected: boolean;
  /** When it went down (or began to join); null while connected. */
  downSince: Date | null;
  /** Why it is down; null while connected. */
  reason: string | null;
}

export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
