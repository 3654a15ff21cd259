import {
  DLQ_HEADER_ERROR,
  DLQ_HEADER_SOURCE_TOPIC,
  type InventoryMessageV1,
  Topic,
  topicName,
} from '@reflex/contracts';
import type { IncomingMessage } from '@reflex/messaging';
import { DataSource } from 'typeorm';
import {
  INVENTORY_CONSUMER_GROUP,
  InventoryConsumer,
} from '../../apps/engine/src/inventory/inventory.consumer';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { consumeUntil, sendMessages } from '../support/kafka';
import { waitFor } from '../support/wait-for';
import { call, group, host, instance } from './inventory-test-kit';

describe('inventory topic consumer', () => {
  let engine: TestEngine;
  let topic: string;

  beforeAll(async () => {
    engine = await startTestEngine();
    topic = topicName(Topic.Inventory, engine.config.topicPrefix);
  });
  afterAll(() => engine?.close());

  const produce = (...messages: Array<InventoryMessageV1 | string>) =>
    sendMessages(
      topic,
      messages.map((m) => ({
        key: typeof m === 'string' ? 'raw' : m.id,
        value: typeof m === 'string' ? m : JSON.stringify(m),
      })),
    );
  const statusOf = async (path: string) => (await call(engine, 'GET', path)).status;
  const processedIds = async (): Promise<string[]> =>
    (
      await engine.app
        .get(DataSource)
        .query<{ message_id: string }[]>(
          'SELECT message_id FROM processed_messages WHERE consumer = $1',
          [INVENTORY_CONSUMER_GROUP],
        )
    ).map((row) => row.message_id);

  it('applies upserts and deletes of every kind', async () => {
    await produce(
      { op: 'upsert', kind: 'host', id: 'cmp-t1', object: host('cmp-t1') },
      { op: 'upsert', kind: 'group', id: 'g-t1', object: group('g-t1', { active: 1, standby: 0 }) },
      {
        op: 'upsert',
        kind: 'instance',
        id: 'vm-t1',
        object: instance('vm-t1', { hostId: 'cmp-t1', groupId: 'g-t1', role: 'active' }),
      },
    );
    await waitFor(
      'the instance to be stored',
      async () => (await statusOf('/v1/instances/vm-t1')) === 200,
    );
    await waitFor(
      'the host and group to be stored',
      async () =>
        (await statusOf('/v1/hosts/cmp-t1')) === 200 && (await statusOf('/v1/groups/g-t1')) === 200,
    );
    expect((await call(engine, 'GET', '/v1/groups/g-t1/status')).body).toMatchObject({
      healthyActive: 1,
      redundant: true,
    });

    await produce({
      op: 'upsert',
      kind: 'host',
      id: 'cmp-t1',
      object: host('cmp-t1', { status: 'down' }),
    });
    await waitFor('the group to lose redundancy', async () => {
      const status = (await call(engine, 'GET', '/v1/groups/g-t1/status')).body;
      return status.redundant === false && typeof status.degradedSince === 'string';
    });

    await produce(
      { op: 'delete', kind: 'instance', id: 'vm-t1' },
      { op: 'delete', kind: 'group', id: 'g-t1' },
      { op: 'delete', kind: 'host', id: 'cmp-t1' },
      { op: 'delete', kind: 'host', id: 'never-existed' },
    );
    await waitFor(
      'all three to be deleted',
      async () =>
        (await statusOf('/v1/instances/vm-t1')) === 404 &&
        (await statusOf('/v1/groups/g-t1')) === 404 &&
        (await statusOf('/v1/hosts/cmp-t1')) === 404,
    );
  });

  it('dead-letters a malformed message with the field in x-error and applies the next good one', async () => {
    const bad = {
      op: 'upsert',
      kind: 'host',
      id: 'cmp-bad',
      object: { ...host('cmp-bad'), capacity: { vcpus: 'lots', memoryMb: 1 } },
    };
    await sendMessages(topic, [
      { key: 'cmp-bad', value: JSON.stringify(bad) },
      { key: 'cmp-bad', value: '{"op": "upsert", ' },
      {
        key: 'cmp-bad',
        value: JSON.stringify({
          op: 'upsert',
          kind: 'host',
          id: 'cmp-bad',
          object: host('cmp-bad'),
        }),
      },
    ]);
    await waitFor(
      'the good message after the bad ones',
      async () => (await statusOf('/v1/hosts/cmp-bad')) === 200,
    );

    const dlq = topicName(Topic.AlarmsDlq, engine.config.topicPrefix);
    const dead = await consumeUntil(
      dlq,
      (messages) => messages.filter((m) => m.key === 'cmp-bad').length >= 2,
      {
        description: 'the two rejected inventory messages',
      },
    );
    const rejected = dead.filter((m) => m.key === 'cmp-bad');
    expect(rejected.map((m) => m.value)).toEqual([JSON.stringify(bad), '{"op": "upsert", ']);
    expect(rejected[0].headers[DLQ_HEADER_ERROR]).toContain('/object/capacity/vcpus');
    expect(rejected[1].headers[DLQ_HEADER_ERROR]).toMatch(/JSON/);
    for (const message of rejected) expect(message.headers[DLQ_HEADER_SOURCE_TOPIC]).toBe(topic);
    expect((await call(engine, 'GET', '/v1/hosts/cmp-bad')).body).toEqual(host('cmp-bad'));
  });

  it('ignores a redelivered message, even after the object changed meanwhile', async () => {
    const seen = new Set(await processedIds());
    const upsert: InventoryMessageV1 = {
      op: 'upsert',
      kind: 'host',
      id: 'cmp-r1',
      object: host('cmp-r1'),
    };
    await produce(upsert);
    const messageId = await waitFor('the upsert to be recorded', async () =>
      (await processedIds()).find((id) => !seen.has(id)),
    );
    expect(messageId).toMatch(new RegExp(`^${topic.replace(/\./g, '\\.')}/\\d+/\\d+$`));
    expect((await call(engine, 'GET', '/v1/hosts/cmp-r1')).body.status).toBe('up');

    // An operator takes the host down; then the broker redelivers the old upsert (same offset).
    await call(engine, 'PUT', '/v1/hosts/cmp-r1', host('cmp-r1', { status: 'down' }));
    const [, partition, offset] = messageId.split('/');
    const redelivery: IncomingMessage<InventoryMessageV1> = {
      topic,
      partition: Number(partition),
      offset,
      key: upsert.id,
      value: upsert,
      headers: {},
      raw: Buffer.from(JSON.stringify(upsert)),
      messageId,
    };
    const consumer = engine.app.get(InventoryConsumer);
    await consumer.handle(redelivery);
    expect((await call(engine, 'GET', '/v1/hosts/cmp-r1')).body.status).toBe('down');
    expect((await processedIds()).filter((id) => id === messageId)).toHaveLength(1);

    // The same content under a new message id is a new message, and is applied.
    await consumer.handle({
      ...redelivery,
      offset: '999999',
      messageId: `${topic}/${partition}/999999`,
    });
    expect((await call(engine, 'GET', '/v1/hosts/cmp-r1')).body.status).toBe('up');
  });
});
