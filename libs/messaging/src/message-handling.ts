import { isRetriable } from '@reflex/common';
import { DLQ_HEADER_ERROR, DLQ_HEADER_SOURCE_TOPIC } from '@reflex/contracts/topics';
import type { IncomingMessage, OutgoingMessage, Subscription } from './message-bus.port';

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
  headers: Record<string, string>;
}

export interface HandlingHooks {
  deadLetter(message: OutgoingMessage): Promise<void>;
  /** Asked before each retry: once the consumer is closing, the message is left uncommitted. */
  isStopping(): boolean;
  onError?(error: unknown, message: RawMessage, attempt: number): void;
}

export type HandlingOutcome = 'handled' | 'dead-lettered' | 'abandoned';

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

export function deadLetterFor(raw: RawMessage, error: unknown): OutgoingMessage {
  return {
    key: raw.key ? raw.key.toString('utf8') : null,
    value: raw.value ?? Buffer.alloc(0),
    headers: {
      ...raw.headers,
      [DLQ_HEADER_ERROR]: reasonOf(error).slice(0, 4096),
      [DLQ_HEADER_SOURCE_TOPIC]: raw.topic,
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const bytes = raw.value ?? Buffer.alloc(0);
  let decoded: T;
  try {
    decoded = subscription.decode(bytes);
  } catch (error) {
    await hooks.deadLetter(deadLetterFor(raw, error));
    return 'dead-lettered';
  }
  const message: IncomingMessage<T> = {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    key: raw.key ? raw.key.toString('utf8') : null,
    value: decoded,
    headers: raw.headers,
    raw: bytes,
    messageId: `${raw.topic}/${raw.partition}/${raw.offset}`,
  };
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

export function encodeValue(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(JSON.stringify(value), 'utf8');
}
