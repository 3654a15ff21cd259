// The message bus on both transports (Kafka, and in process as the all-in-one runs): delivery with
// key and headers, dead letters, retries, batches and per-key order. Kafka's shutdown and start-up:
// kafka-bus-lifecycle.
import { TransientError, ValidationError } from '@reflex/common';
import { decoderFor, MessageKind, Topic, TOPIC_MESSAGE_KINDS, topicName } from '@reflex/contracts';
import type { MessageBus } from '@reflex/messaging';
import { testTopicPrefix } from '../support/kafka';
import { uniqueSuffix, waitFor } from '../support/wait-for';
import {
  type BadFixture,
  collector,
  firstGood,
  fixture,
  inProcess,
  kafka,
} from './support/transports';

describe.each([kafka, inProcess])('message bus on $name', (transport) => {
  let prefix: string;
  let bus: MessageBus;

  beforeEach(async () => {
    prefix = testTopicPrefix();
    bus = transport.create(prefix);
    await bus.ensureTopics();
  });
  afterEach(() => bus.close());

  it('delivers a published message with its key and headers', async () => {
    const alarm = firstGood('alarm.v1') as { id: string };
    const { received, subscription } = collector(Topic.Alarms, 'alarm.v1');
    await bus.subscribe(subscription);
    await bus.publish(Topic.Alarms, [
      { key: 'cmp-03', value: alarm, headers: { 'x-trace': 't1' } },
    ]);
    await waitFor('the alarm to be handled', () => received.length === 1);
    expect(received[0].value).toEqual(alarm);
    expect(received[0].key).toBe('cmp-03');
    expect(received[0].headers['x-trace']).toBe('t1');
    expect(received[0].messageId).toMatch(
      new RegExp(`^${prefix.replace('.', '\\.')}alarms/\\d+/\\d+$`),
    );
  });

  it('dead-letters every bad fixture of every schema, verbatim with its reason, and keeps consuming', async () => {
    const expected: Array<{ value: string; field: string; topic: string }> = [];
    const collectors = [];
    for (const [topic, kind] of Object.entries(TOPIC_MESSAGE_KINDS) as Array<
      [Topic, MessageKind | null]
    >) {
      if (!kind) continue;
      const c = collector(topic, kind);
      collectors.push({ ...c, topic, kind });
      await bus.subscribe(c.subscription);
      const bad = fixture(`${kind}.bad.json`) as BadFixture[];
      const raws = bad.map((b) => JSON.stringify(b.value));
      raws.push('{"not json');
      bad.forEach((b, i) =>
        expected.push({ value: raws[i], field: b.field, topic: topicName(topic, prefix) }),
      );
      expected.push({ value: '{"not json', field: 'JSON', topic: topicName(topic, prefix) });
      // A good message after the bad ones proves the consumer went on.
      await bus.publish(topic, [
        ...raws.map((value) => ({ key: 'k', value })),
        { key: 'k', value: firstGood(kind) },
      ]);
    }
    for (const c of collectors) {
      await waitFor(`the good ${c.kind} after the bad ones`, () => c.received.length === 1);
    }
    const dead = await transport.observe(bus, prefix, Topic.AlarmsDlq, expected.length);
    expect(dead).toHaveLength(expected.length);
    for (const e of expected) {
      const match = dead.find(
        (d) => d.value === e.value && d.headers['x-source-topic'] === e.topic,
      );
      expect({ ...e, found: !!match }).toEqual({ ...e, found: true });
      expect(match?.headers['x-error']).toContain(e.field);
      expect(match?.key).toBe('k');
    }
  });

  it('retries a retriable failure until it succeeds, and dead-letters a non-retriable one', async () => {
    let failures = 0;
    const { received, subscription } = collector<{ id: string }>(
      Topic.Alarms,
      'alarm.v1',
      async (m) => {
        if (m.value.id === 'flaky' && failures < 3) {
          failures++;
          throw new TransientError('database unavailable');
        }
        if (m.value.id === 'poison')
          throw new ValidationError('resource vm-x is not in the inventory');
      },
    );
    await bus.subscribe(subscription);
    const alarm = firstGood('alarm.v1') as Record<string, unknown>;
    await bus.publish(Topic.Alarms, [
      { key: 'r1', value: { ...alarm, id: 'flaky' } },
      { key: 'r1', value: { ...alarm, id: 'poison' } },
      { key: 'r1', value: { ...alarm, id: 'after' } },
    ]);
    await waitFor('flaky and after to be handled', () => received.length === 2);
    expect(received.map((m) => m.value.id)).toEqual(['flaky', 'after']);
    expect(failures).toBe(3);
    const [dead] = await transport.observe(bus, prefix, Topic.AlarmsDlq, 1);
    expect(JSON.parse(dead.value).id).toBe('poison');
    expect(dead.headers['x-error']).toBe(
      'VALIDATION_FAILED: resource vm-x is not in the inventory',
    );
  });

  it('hands waiting messages to handleBatch in order, and one by one when a batch fails', async () => {
    const alarm = firstGood('alarm.v1') as Record<string, unknown>;
    const values: unknown[] = Array.from({ length: 40 }, (_, i) => ({ ...alarm, id: `b${i}` }));
    values[10] = '{"not json';
    values[25] = { ...alarm, id: 'poison' };
    // Published before subscribing, so the consumer finds all of them waiting.
    await bus.publish(
      Topic.Alarms,
      values.map((value) => ({ key: 'one-key', value })),
    );
    const handled: string[] = [];
    const batchSizes: number[] = [];
    let failedBatches = 0;
    await bus.subscribe<{ id: string }>({
      topic: Topic.Alarms,
      groupId: `g-${uniqueSuffix()}`,
      decode: decoderFor('alarm.v1'),
      maxBatchSize: 16,
      handleBatch: async (messages) => {
        batchSizes.push(messages.length);
        if (messages.some((m) => m.value.id === 'poison')) {
          failedBatches++;
          throw new ValidationError('a poison message in the batch');
        }
        handled.push(...messages.map((m) => m.value.id));
      },
      handle: async (m) => {
        if (m.value.id === 'poison') throw new ValidationError('poison');
        handled.push(m.value.id);
      },
    });
    const good = values
      .filter(
        (v): v is { id: string } => typeof v === 'object' && (v as { id: string }).id !== 'poison',
      )
      .map((v) => v.id);
    await waitFor('every good message', () => handled.length >= good.length);
    expect(handled).toEqual(good);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(16);
    expect(failedBatches).toBe(1);
    const dead = await transport.observe(bus, prefix, Topic.AlarmsDlq, 2);
    expect(dead.map((d) => d.headers['x-error'])).toEqual([
      expect.stringContaining('JSON'),
      'VALIDATION_FAILED: poison',
    ]);
  });

  it('keeps the order of messages with the same key', async () => {
    const { received, subscription } = collector<{ id: string }>(Topic.Alarms, 'alarm.v1');
    await bus.subscribe(subscription);
    const alarm = firstGood('alarm.v1') as Record<string, unknown>;
    const ids = Array.from({ length: 30 }, (_, i) => `a${i}`);
    await bus.publish(
      Topic.Alarms,
      ids.map((id) => ({ key: 'same-host', value: { ...alarm, id } })),
    );
    await waitFor('all 30', () => received.length === 30);
    expect(received.map((m) => m.value.id)).toEqual(ids);
  });
});
