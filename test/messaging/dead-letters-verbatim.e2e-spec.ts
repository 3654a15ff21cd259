// alarms.dlq carries "the rejected message, verbatim" (CONTRACT §2): key, value and headers byte for
// byte, repeated headers included. Found: a key or header that is not UTF-8 arrived re-encoded (each
// bad byte became U+FFFD), and a value with such bytes was decoded the same way and accepted.
import { Logger } from '@nestjs/common';
import { type AlarmV1, decoderFor, Topic, topicName } from '@reflex/contracts';
import { type IncomingMessage, KafkaMessageBus, type OutgoingMessage } from '@reflex/messaging';
import type { IHeaders } from 'kafkajs';
import { readAll, testTopicPrefix } from '../support/kafka';
import { uniqueSuffix, waitFor } from '../support/wait-for';

const NOT_UTF8 = Buffer.from([0xc3, 0x28, 0xff]);
const alarm = (id: string, extra = '') =>
  Buffer.from(
    `{"id":"${id}","source":"test","type":"disk.full","resource":{"kind":"host","id":"cmp-01"},` +
      `"occurredAt":"2026-11-20T10:00:00.000Z"${extra}}`,
  );
const header = (headers: IHeaders | undefined, name: string) => headers?.[name];

describe('dead letters, verbatim', () => {
  let bus: KafkaMessageBus;
  let prefix: string;
  const received: Array<IncomingMessage<AlarmV1>> = [];

  beforeAll(async () => {
    prefix = testTopicPrefix();
    bus = new KafkaMessageBus({
      brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
      clientId: 'reflex-test',
      topicPrefix: prefix,
      partitions: 1,
      replicationFactor: 1,
      logger: new Logger('dlq-test'),
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    await bus.ensureTopics();
    await bus.subscribe<AlarmV1>({
      topic: Topic.Alarms,
      groupId: `g-${uniqueSuffix()}`,
      decode: decoderFor('alarm.v1'),
      handle: async (m) => void received.push(m),
    });
  });
  afterAll(() => bus.close());

  it('keeps key, value and headers byte for byte, and dead-letters what is not UTF-8', async () => {
    const valueNotUtf8 = Buffer.concat([
      alarm('bad-value', ',"labels":{"zone":"').subarray(0, -1),
      NOT_UTF8,
      Buffer.from('"}}'),
    ]);
    const sent: Array<OutgoingMessage & { key: Buffer; value: Buffer }> = [
      // Not an Alarm v1, with a key and a header that are not UTF-8 and a repeated header.
      {
        key: Buffer.concat([Buffer.from('cmp-'), NOT_UTF8]),
        value: Buffer.from('{"id":1}'),
        headers: { 'x-bytes': NOT_UTF8, 'x-twice': ['first', 'second'] },
      },
      // Valid JSON and a valid Alarm v1 once decoded with replacement characters.
      { key: Buffer.from('cmp-01'), value: valueNotUtf8, headers: {} },
      { key: Buffer.from('cmp-01'), value: alarm('bad-header'), headers: { 'x-bytes': NOT_UTF8 } },
      { key: NOT_UTF8, value: alarm('bad-key'), headers: {} },
      { key: Buffer.from('cmp-01'), value: alarm('good'), headers: {} },
    ];
    await bus.publish(Topic.Alarms, sent);
    await waitFor('the good alarm after the bad ones', () => received.length > 0);
    expect(received.map((m) => m.value.id)).toEqual(['good']);

    const dead = await readAll(topicName(Topic.AlarmsDlq, prefix), 4);
    expect(dead).toHaveLength(4);
    dead.forEach((d, i) => {
      expect(d.raw.key?.equals(sent[i].key)).toBe(true);
      expect(d.raw.value?.equals(sent[i].value)).toBe(true);
      expect(d.headers['x-source-topic']).toBe(topicName(Topic.Alarms, prefix));
    });
    expect((header(dead[0].raw.headers, 'x-bytes') as Buffer).equals(NOT_UTF8)).toBe(true);
    expect((header(dead[0].raw.headers, 'x-twice') as Buffer[]).map((b) => b.toString())).toEqual([
      'first',
      'second',
    ]);
    expect((header(dead[2].raw.headers, 'x-bytes') as Buffer).equals(NOT_UTF8)).toBe(true);
    expect(dead.slice(1).map((d) => d.headers['x-error'])).toEqual([
      'VALIDATION_FAILED: value is not valid UTF-8',
      'VALIDATION_FAILED: header x-bytes is not valid UTF-8',
      'VALIDATION_FAILED: key is not valid UTF-8',
    ]);
  });
});
