import { randomBytes } from 'node:crypto';
import type { AlarmV1 } from '@reflex/contracts';
import {
  AssignerProtocol,
  type Consumer,
  type KafkaMessage,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { testKafka } from '../../test/support/kafka';
import { sleep } from './stats';

export async function benchProducer(): Promise<Producer> {
  const producer = testKafka('reflex-bench-producer').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

/** Keyed by resource id, as CONTRACT §2 says producers key alarms. */
export const alarmMessage = (alarm: AlarmV1, timestamp?: number): Message => ({
  key: alarm.resource.id,
  value: JSON.stringify(alarm),
  ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
});

/** Sends everything as fast as the broker takes it, in batches, in order. */
export async function sendAll(
  producer: Producer,
  topic: string,
  messages: readonly Message[],
  batch = 1000,
): Promise<void> {
  for (let i = 0; i < messages.length; i += batch) {
    await producer.send({ topic, acks: 1, messages: messages.slice(i, i + batch) });
  }
}

/**
 * Offers `messages` at `perSecond`, in ticks of `tickMs`: each message is stamped with the time
 * it was due, not the time it went out, so a producer that falls behind cannot hide latency
 * (no coordinated omission). Sends are not awaited one by one for the same reason.
 */
export async function sendPaced(
  producer: Producer,
  topic: string,
  messages: readonly Message[],
  perSecond: number,
  tickMs = 5,
): Promise<{ start: number; lagMs: number }> {
  const start = Date.now();
  const inFlight: Promise<unknown>[] = [];
  let next = 0;
  let lagMs = 0;
  while (next < messages.length) {
    const now = Date.now();
    const due = Math.min(messages.length, Math.floor(((now - start) * perSecond) / 1000) + 1);
    if (due > next) {
      const batch = messages.slice(next, due).map((m, i) => ({
        ...m,
        timestamp: String(Math.round(start + ((next + i) * 1000) / perSecond)),
      }));
      lagMs = Math.max(lagMs, now - Number(batch[0].timestamp));
      inFlight.push(producer.send({ topic, acks: 1, messages: batch }));
      next = due;
    }
    await sleep(tickMs);
  }
  await Promise.all(inFlight);
  return { start, lagMs };
}

export interface Observed {
  key: string | null;
  value: string;
  /** The producer's timestamp (CreateTime), epoch ms. */
  timestamp: number;
  /** When this process read it, epoch ms. */
  readAt: number;
}

/** Reads a topic from the beginning in a group of its own, keeping every message, until stopped. */
export class TopicRecorder {
  readonly messages: Observed[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(topic: string): Promise<TopicRecorder> {
    const consumer = testKafka('reflex-bench-recorder').consumer({
      groupId: `bench-recorder-${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: 20,
    });
    const recorder = new TopicRecorder(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const readAt = Date.now();
        for (const m of batch.messages) recorder.messages.push(observed(m, readAt));
      },
    });
    return recorder;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

function observed(m: KafkaMessage, readAt: number): Observed {
  return {
    key: m.key?.toString() ?? null,
    value: m.value?.toString() ?? '',
    timestamp: Number(m.timestamp),
    readAt,
  };
}

/**
 * Waits until consumer group `groupId` is stable with `members` members that each hold a partition,
 * and stays so for `quietMs`: a figure read while the group still rebalances measures the handover
 * (a partition moved mid-run, its batch redone by the new owner behind the old one's locks).
 */
export async function waitForGroupSettled(
  groupId: string,
  members: number,
  { quietMs = 1_000, timeoutMs = 60_000 } = {},
): Promise<void> {
  const admin = testKafka('reflex-bench-group').admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    let settledSince: number | null = null;
    for (;;) {
      const {
        groups: [group],
      } = await admin.describeGroups([groupId]);
      const holding = group.members.filter((m) => {
        const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
        return Object.values(assignment?.assignment ?? {}).some((p) => p.length > 0);
      });
      const settled = group.state === 'Stable' && holding.length === members;
      settledSince = settled ? (settledSince ?? Date.now()) : null;
      if (settledSince !== null && Date.now() - settledSince >= quietMs) return;
      if (Date.now() > deadline) {
        throw new Error(
          `group ${groupId} not settled on ${members} member(s) in ${timeoutMs} ms: ${group.state}, ${holding.length} holding partitions`,
        );
      }
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}
