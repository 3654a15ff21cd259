// Proves the suite's Kafka harness: global setup provides a broker that really stores and serves
// messages, and the observer helpers read them back with their keys and headers.
import {
  createTopics,
  kafkaBrokers,
  readAll,
  sendMessages,
  testKafka,
  testTopicPrefix,
} from './support/kafka';

describe('Kafka test harness', () => {
  it('provides a broker through KAFKA_BROKERS', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      expect(kafkaBrokers().length).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('round-trips a message with its key and headers on a topic of its own', async () => {
    const topic = `${testTopicPrefix()}harness`;
    await createTopics([topic]);
    await sendMessages(topic, [
      { key: 'cmp-03', value: '{"id":"a-1"}', headers: { 'x-source-topic': 'alarms' } },
    ]);

    const messages = await readAll(topic, 1);

    expect(messages).toEqual([
      expect.objectContaining({
        topic,
        partition: 0,
        offset: '0',
        key: 'cmp-03',
        value: '{"id":"a-1"}',
        headers: { 'x-source-topic': 'alarms' },
      }),
    ]);
  });

  it('reads from the beginning, in order, messages sent before it subscribed', async () => {
    const topic = `${testTopicPrefix()}ordered`;
    await createTopics([topic]);
    await sendMessages(topic, [{ value: 'one' }, { value: 'two' }, { value: 'three' }]);

    const messages = await readAll(topic, 3);

    expect(messages.map((m) => m.value)).toEqual(['one', 'two', 'three']);
  });

  it('says what it read when fewer messages than expected arrive', async () => {
    const topic = `${testTopicPrefix()}short`;
    await createTopics([topic]);
    await sendMessages(topic, [{ key: 'only', value: 'one' }]);

    await expect(readAll(topic, 2, 3_000)).rejects.toThrow(
      /got 1 message\(s\):\n.*key=only value=one/,
    );
  });

  it('gives every call a different topic prefix', () => {
    const prefixes = new Set(Array.from({ length: 50 }, () => testTopicPrefix()));
    expect(prefixes.size).toBe(50);
  });
});
