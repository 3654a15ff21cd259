import type { EachBatchHandler, IHeaders } from 'kafkajs';
import { TransientError } from '@reflex/common';
import type { HeaderValue, OutgoingMessage, Subscription } from '../message-bus.port';
import {
  DEFAULT_MAX_BATCH,
  handleRawBatch,
  HandlingHooks,
  RawMessage,
  RetryPolicy,
} from '../message-handling';
import type { BusLogger } from './kafka-log';

/** Headers as they arrived (bytes, repeats): decoding is the handling's, so a dead letter is verbatim. */
function headersOf(headers: IHeaders | undefined): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export interface BatchContext {
  deadLetter(message: OutgoingMessage): Promise<void>;
  isStopping(): boolean;
  logger: BusLogger;
  retry?: RetryPolicy;
}

/**
 * kafkajs's `eachBatch` for a subscription: a fetched batch handed over in slices of at most
 * `maxBatchSize`, each committed as far as it was handled, with retry and dead-lettering done by
 * the transport-neutral handling.
 */
export function batchHandler<T>(
  subscription: Subscription<T>,
  ctx: BatchContext,
): EachBatchHandler {
  const hooks = (heartbeat: () => Promise<void>): HandlingHooks => ({
    deadLetter: ctx.deadLetter,
    isStopping: ctx.isStopping,
    onError: (error, raw, attempt) => {
      void heartbeat().catch(() => undefined);
      ctx.logger.warn(
        `handler for ${raw.topic}/${raw.partition}@${raw.offset} failed (attempt ${attempt}): ${(error as Error).message}`,
      );
    },
    // kafkajs sends a heartbeat only when one is due, so this is cheap between messages; without
    // it a long run of slow messages outlived the session and cost the group a rebalance.
    between: () => heartbeat().catch(() => undefined),
    onBatchError: (error, first, size) => {
      void heartbeat().catch(() => undefined);
      ctx.logger.warn(
        `batch of ${size} from ${first.topic}/${first.partition}@${first.offset} failed (${(error as Error).message}); handling them one by one`,
      );
    },
  });
  const maxBatch = subscription.maxBatchSize ?? DEFAULT_MAX_BATCH;
  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
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
      const done = await handleRawBatch(subscription, raws, handling, ctx.retry);
      if (done > 0) resolveOffset(raws[done - 1].offset);
      // Leaving the offset uncommitted makes the broker redeliver the rest to whoever consumes next.
      if (done < raws.length)
        throw new TransientError('consumer stopping; messages left for redelivery');
      await heartbeat();
    }
  };
}
