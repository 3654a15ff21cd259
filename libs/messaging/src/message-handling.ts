import { isUtf8 } from 'node:buffer';
import { isRetriable, ValidationError } from '@reflex/common';
import { DLQ_HEADER_ERROR, DLQ_HEADER_SOURCE_TOPIC } from '@reflex/contracts/topics';
import type {
  HeaderValue,
  IncomingMessage,
  OutgoingMessage,
  Subscription,
} from './message-bus.port';

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 10_000 };

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** As they arrived, bytes and repeats included, so a dead letter carries them unchanged. */
  headers: Record<string, HeaderValue>;
}

export interface HandlingHooks {
  deadLetter(message: OutgoingMessage): Promise<void>;
  /** Asked before each retry: once the consumer is closing, the message is left uncommitted. */
  isStopping(): boolean;
  onError?(error: unknown, message: RawMessage, attempt: number): void;
  /** A `handleBatch` call failed; its messages are handled one by one next. */
  onBatchError?(error: unknown, first: RawMessage, size: number): void;
  /** Between messages handled one by one: the transport keeps its group membership alive. */
  between?(): Promise<void>;
}

export type HandlingOutcome = 'handled' | 'dead-lettered' | 'abandoned';

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The message byte for byte (key, value, headers), with the reason and where it came from. */
export function deadLetterFor(raw: RawMessage, error: unknown): OutgoingMessage {
  return {
    key: raw.key,
    value: raw.value ?? Buffer.alloc(0),
    headers: {
      ...raw.headers,
      [DLQ_HEADER_ERROR]: reasonOf(error).slice(0, 4096),
      [DLQ_HEADER_SOURCE_TOPIC]: raw.topic,
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const DEFAULT_MAX_BATCH = 500;

/**
 * UTF-8 text of bytes, refusing (for good) what is not UTF-8: decoding it would replace the bad
 * bytes and hand a handler, and the audit, something no producer sent.
 */
function text(bytes: Buffer | string, what: string): string {
  if (typeof bytes === 'string') return bytes;
  if (!isUtf8(bytes)) {
    throw new ValidationError(`${what} is not valid UTF-8`, [
      { path: what, message: 'is not valid UTF-8' },
    ]);
  }
  return bytes.toString('utf8');
}

/** The first value of each header, as text (a handler sees one value per name). */
function headerTexts(headers: Record<string, HeaderValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v) => text(v, `header ${name}`));
    if (values.length > 0) out[name] = text(values[0], `header ${name}`);
  }
  return out;
}

function decoded<T>(subscription: Subscription<T>, raw: RawMessage): IncomingMessage<T> {
  const bytes = raw.value ?? Buffer.alloc(0);
  text(bytes, 'value');
  return {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    key: raw.key ? text(raw.key, 'key') : null,
    value: subscription.decode(bytes),
    headers: headerTexts(raw.headers),
    raw: bytes,
    messageId: `${raw.topic}/${raw.partition}/${raw.offset}`,
  };
}

/**
 * The transport-independent part of consuming: decode, hand over, and decide between retry and
 * dead-letter from the error's `retriable` flag. A retriable failure (database down) is retried with
 * backoff for as long as the consumer runs, so nothing is lost; when the consumer is stopping the
 * message is abandoned uncommitted and will be redelivered.
 */
export async function handleRawMessage<T>(
  subscription: Subscription<T>,
  raw: RawMessage,
  hooks: HandlingHooks,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<HandlingOutcome> {
  let message: IncomingMessage<T>;
  try {
    message = decoded(subscription, raw);
  } catch (error) {
    await hooks.deadLetter(deadLetterFor(raw, error));
    return 'dead-lettered';
  }
  return handleDecoded(subscription, message, raw, hooks, retry);
}

async function handleDecoded<T>(
  subscription: Subscription<T>,
  message: IncomingMessage<T>,
  raw: RawMessage,
  hooks: HandlingHooks,
  retry: RetryPolicy,
): Promise<HandlingOutcome> {
  let delay = retry.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await subscription.handle(message);
      return 'handled';
    } catch (error) {
      hooks.onError?.(error, raw, attempt);
      if (!isRetriable(error)) {
        await hooks.deadLetter(deadLetterFor(raw, error));
        return 'dead-lettered';
      }
      if (hooks.isStopping()) return 'abandoned';
      await sleep(delay);
      delay = Math.min(delay * 2, retry.maxDelayMs);
    }
  }
}

/**
 * Consecutive messages of one partition. Without `handleBatch`, each as handleRawMessage does. With
 * it: the undecodable ones are dead-lettered, the rest go to `handleBatch` in one call, and if that
 * call fails they are handled one by one, so each gets its own retry or dead-letter.
 * Returns how many messages, from the first, are done (handled or dead-lettered); fewer than all
 * only when the consumer is stopping, and the rest must be left for redelivery.
 */
export async function handleRawBatch<T>(
  subscription: Subscription<T>,
  raws: RawMessage[],
  hooks: HandlingHooks,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<number> {
  const good: Array<{ raw: RawMessage; message: IncomingMessage<T> }> = [];
  if (subscription.handleBatch && raws.length > 1) {
    for (const raw of raws) {
      try {
        good.push({ raw, message: decoded(subscription, raw) });
      } catch (error) {
        await hooks.deadLetter(deadLetterFor(raw, error));
      }
    }
    if (good.length === 0) return raws.length;
    try {
      await subscription.handleBatch(good.map((g) => g.message));
      return raws.length;
    } catch (error) {
      hooks.onBatchError?.(error, good[0].raw, good.length);
    }
    // One by one, as delivered; the dead-lettered ones are done already.
    for (const [i, { raw, message }] of good.entries()) {
      const outcome = await handleDecoded(subscription, message, raw, hooks, retry);
      if (outcome === 'abandoned') return raws.indexOf(good[i].raw);
      await hooks.between?.();
    }
    return raws.length;
  }
  for (const [i, raw] of raws.entries()) {
    if ((await handleRawMessage(subscription, raw, hooks, retry)) === 'abandoned') return i;
    await hooks.between?.();
  }
  return raws.length;
}

export function encodeValue(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}
