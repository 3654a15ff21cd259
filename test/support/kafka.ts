// Plain kafkajs helpers so integration tests can set up and observe real topics independently of the
// messaging layer they are testing.
import { randomBytes } from 'node:crypto';
import { IHeaders, Kafka, KafkaMessage, logLevel, Message, Partitioners } from 'kafkajs';

/** The brokers global-setup started or was given. */
export function kafkaBrokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) {
    throw new Error(
      'KAFKA_BROKERS is not set. Run integration specs through Jest (its global setup starts a ' +
        'broker: npx jest test/...) or set KAFKA_BROKERS to a running broker.',
    );
  }
  return value.split(',').map((broker) => broker.trim());
}

/** A fresh topic prefix, e.g. `t3f9a0c1e.`, so tests never share topics (or TOPIC_PREFIX). */
export function testTopicPrefix(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}

export function testKafka(clientId = 'reflex-test'): Kafka {
  // Client errors surface as the helpers' own failures and timeouts; kafkajs' logs would only
  // repeat them, noisily, in the middle of Jest's output.
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
}

/** Creates topics (auto-creation is off on the test broker) and waits until they have leaders. */
export async function createTopics(topics: string[], numPartitions = 1): Promise<void> {
  const admin = testKafka('reflex-test-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Sends messages and resolves once the broker has acknowledged all of them. */
export async function sendMessages(topic: string, messages: Message[]): Promise<void> {
  const producer = testKafka('reflex-test-producer').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface ObservedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  /** UTF-8 header values; when a key repeats, the last value wins. */
  headers: Record<string, string>;
  timestamp: string;
  /** The message as kafkajs read it: bytes, repeated headers. */
  raw: KafkaMessage;
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(headers ?? {})) {
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (last !== undefined) result[key] = last.toString();
  }
  return result;
}

function observed(topic: string, partition: number, message: KafkaMessage): ObservedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers: headersOf(message.headers),
    timestamp: message.timestamp,
    raw: message,
  };
}

function summary(messages: ObservedMessage[]): string {
  return messages
    .slice(-5)
    .map((m) => `  [${m.partition}@${m.offset}] key=${m.key} value=${m.value?.slice(0, 200)}`)
    .join('\n');
}

/**
 * Reads `topic` from the beginning in a consumer group of its own until `done(messagesSoFar)` is
 * true, and returns every message read by then. Fails after `timeoutMs` with what it did read.
 * The topic must exist.
 */
export async function consumeUntil(
  topic: string,
  done: (messages: ObservedMessage[]) => boolean,
  { timeoutMs = 20_000, description = 'the expected messages' } = {},
): Promise<ObservedMessage[]> {
  const consumer = testKafka('reflex-test-observer').consumer({
    groupId: `observer-${randomBytes(6).toString('hex')}`,
    // Short fetch waits: tests wait on these reads, throughput does not matter.
    maxWaitTimeInMs: 100,
  });
  const messages: ObservedMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        const got = `got ${messages.length} message(s)${messages.length ? `:\n${summary(messages)}` : ''}`;
        reject(
          new Error(`timed out after ${timeoutMs} ms reading ${description} from ${topic}; ${got}`),
        );
      }, timeoutMs);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
      consumer
        .run({
          eachMessage: async ({ topic: from, partition, message }) => {
            messages.push(observed(from, partition, message));
            // A throwing predicate must fail the read, not make kafkajs redeliver the message.
            try {
              if (done(messages)) resolve();
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          },
        })
        .catch(reject);
    });
    return [...messages];
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

/** Reads `topic` from the beginning until at least `count` messages arrived; returns them all. */
export async function readAll(
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<ObservedMessage[]> {
  if (count < 1) throw new Error('readAll needs a count of 1 or more');
  return consumeUntil(topic, (messages) => messages.length >= count, {
    timeoutMs,
    description: `${count} message(s)`,
  });
}
