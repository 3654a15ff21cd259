// What the message bus specs share: the two transports the bus runs on (Kafka, and in process as
// the all-in-one does), the contract fixtures, and a subscription that collects what it handles.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { decoderFor, MessageKind, Topic, topicName } from '@reflex/contracts';
import {
  IncomingMessage,
  InProcessMessageBus,
  KafkaMessageBus,
  MessageBus,
  Subscription,
} from '@reflex/messaging';
import { kafkaBrokers, readAll } from '../../support/kafka';
import { uniqueSuffix, waitFor } from '../../support/wait-for';

export interface Transport {
  name: string;
  create(prefix: string): MessageBus;
  /** Every message on a topic as the transport holds it. */
  observe(
    bus: MessageBus,
    prefix: string,
    topic: Topic,
    count: number,
  ): Promise<Array<{ key: string | null; value: string; headers: Record<string, string> }>>;
}

export const kafka: Transport = {
  name: 'kafka',
  create: (prefix) =>
    new KafkaMessageBus({
      brokers: kafkaBrokers(),
      clientId: 'reflex-test',
      topicPrefix: prefix,
      partitions: 3,
      replicationFactor: 1,
      logger: new Logger('bus-test'),
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    }),
  observe: async (_bus, prefix, topic, count) =>
    (await readAll(topicName(topic, prefix), count)).map((m) => ({
      key: m.key,
      value: m.value ?? '',
      headers: m.headers,
    })),
};

export const inProcess: Transport = {
  name: 'in-process',
  create: (prefix) =>
    new InProcessMessageBus({
      topicPrefix: prefix,
      partitions: 3,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    }),
  observe: async (bus, _prefix, topic, count) => {
    const memory = bus as InProcessMessageBus;
    await waitFor(`${count} messages on ${topic}`, () => memory.messages(topic).length >= count);
    return memory
      .messages(topic)
      .map((m) => ({ key: m.key, value: m.value.toString('utf8'), headers: m.headers }));
  },
};

export interface BadFixture {
  why: string;
  field: string;
  value: unknown;
}
export const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, '../../../libs/contracts/fixtures', name), 'utf8'));
export const firstGood = (kind: MessageKind): unknown => {
  const good = fixture(`${kind}.json`);
  return Array.isArray(good) ? good[0] : good;
};

export function collector<T>(
  topic: Topic,
  kind: MessageKind,
  handle?: (m: IncomingMessage<T>) => Promise<void>,
) {
  const received: IncomingMessage<T>[] = [];
  const subscription: Subscription<T> = {
    topic,
    groupId: `g-${uniqueSuffix()}`,
    decode: decoderFor(kind) as (raw: Buffer) => T,
    handle: async (m) => {
      if (handle) await handle(m);
      received.push(m);
    },
  };
  return { received, subscription };
}
