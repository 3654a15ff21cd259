import { randomBytes } from 'node:crypto';
import { TransientError } from '@reflex/common';
import { type Topic, topicName } from '@reflex/contracts/topics';
import type { OutboxRecord } from '@reflex/persistence';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { type DeliveryLedger, OUTBOX_ID_HEADER } from './delivery-ledger';

export interface KafkaLedgerOptions {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  /** How long one search may take before the relay gives up and tries again later. */
  timeoutMs?: number;
}

interface Range {
  topic: string;
  partition: number;
  from: bigint;
  /** The high watermark when the search started: the search ends just before it. */
  end: bigint;
}

/**
 * Searches the broker for outbox rows whose publication is in doubt: reads each topic they went to,
 * every partition, from the first message at or after `since` up to the high watermark seen at the
 * start, and collects the `x-outbox-id` headers. Only ever run after a relay died or a publish
 * failed, over the few seconds since the attempt, so its cost (a consumer group join) is rare.
 */
export class KafkaDeliveryLedger implements DeliveryLedger {
  private readonly kafka: Kafka;

  constructor(private readonly options: KafkaLedgerOptions) {
    this.kafka = new Kafka({
      clientId: `${options.clientId}-outbox-ledger`,
      brokers: options.brokers,
      connectionTimeout: 3000,
      retry: { retries: 3 },
      logLevel: logLevel.NOTHING,
    });
  }

  async delivered(records: readonly OutboxRecord[], since: Date): Promise<Set<string>> {
    const wanted = new Map(records.map((r) => [r.id, r]));
    const topics = [
      ...new Set(records.map((r) => topicName(r.topic as Topic, this.options.topicPrefix))),
    ];
    const admin = this.kafka.admin();
    let ranges: Range[];
    try {
      await admin.connect();
      ranges = (await Promise.all(topics.map((t) => this.rangesOf(admin, t, since)))).flat();
    } catch (error) {
      throw new TransientError(`outbox ledger: ${(error as Error).message}`, error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (ranges.length === 0) return new Set();
    const seen = await this.scan(ranges);
    return new Set([...seen].filter((id) => wanted.has(id)));
  }

  private async rangesOf(admin: Admin, topic: string, since: Date): Promise<Range[]> {
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime());
    const ends = await admin.fetchTopicOffsets(topic);
    return starts
      .map((s) => ({
        topic,
        partition: s.partition,
        from: BigInt(s.offset),
        end: BigInt(ends.find((e) => e.partition === s.partition)?.high ?? s.offset),
      }))
      .filter((r) => r.from < r.end);
  }

  private async scan(ranges: Range[]): Promise<Set<string>> {
    const consumer = this.kafka.consumer({
      groupId: `${this.options.clientId}.outbox-ledger.${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    const key = (topic: string, partition: number) => `${topic}/${partition}`;
    const open = new Map(ranges.map((r) => [key(r.topic, r.partition), r]));
    const found = new Set<string>();
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...new Set(ranges.map((r) => r.topic))] });
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new TransientError('outbox ledger: broker search timed out')),
          timeoutMs,
        );
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const range = open.get(key(topic, partition));
              if (!range) return;
              const id = message.headers?.[OUTBOX_ID_HEADER];
              if (id !== undefined) found.add(Buffer.isBuffer(id) ? id.toString() : String(id));
              if (BigInt(message.offset) >= range.end - 1n) open.delete(key(topic, partition));
              if (open.size === 0) resolve();
            },
          })
          .then(() => {
            for (const r of ranges) {
              consumer.seek({ topic: r.topic, partition: r.partition, offset: r.from.toString() });
            }
          })
          .catch(reject);
      });
      return found;
    } catch (error) {
      throw error instanceof TransientError
        ? error
        : new TransientError(`outbox ledger: ${(error as Error).message}`, error);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
    }
  }
}
