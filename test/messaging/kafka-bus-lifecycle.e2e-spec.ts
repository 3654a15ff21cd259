// The Kafka bus's own life: a shutdown that lets the in-flight handler finish and commit, and a
// start-up that waits for its topic to exist. The bus's behaviour on both transports: message-bus.
import { decoderFor, Topic } from '@reflex/contracts';
import { testTopicPrefix } from '../support/kafka';
import { uniqueSuffix, waitFor } from '../support/wait-for';
import { firstGood, kafka } from './support/transports';

describe('kafka bus shutdown', () => {
  it('finishes the in-flight handler and commits, so a successor in the group does not see it again', async () => {
    const prefix = testTopicPrefix();
    const groupId = `g-${uniqueSuffix()}`;
    const first = kafka.create(prefix);
    await first.ensureTopics();
    const alarm = firstGood('alarm.v1') as Record<string, unknown>;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seenByFirst: string[] = [];
    let started = false;
    await first.subscribe<{ id: string }>({
      topic: Topic.Alarms,
      groupId,
      decode: decoderFor('alarm.v1'),
      handle: async (m) => {
        started = true;
        await gate;
        seenByFirst.push(m.value.id);
      },
    });
    await first.publish(Topic.Alarms, [{ key: 'h', value: { ...alarm, id: 'in-flight' } }]);
    await waitFor('the handler to start', () => started);
    const closing = first.close();
    release();
    await closing;
    expect(seenByFirst).toEqual(['in-flight']);

    const second = kafka.create(prefix);
    const seenBySecond: string[] = [];
    await second.subscribe<{ id: string }>({
      topic: Topic.Alarms,
      groupId,
      decode: decoderFor('alarm.v1'),
      handle: async (m) => void seenBySecond.push(m.value.id),
    });
    await second.publish(Topic.Alarms, [{ key: 'h', value: { ...alarm, id: 'later' } }]);
    await waitFor('the later message', () => seenBySecond.includes('later'));
    await second.close();
    expect(seenBySecond).toEqual(['later']);
  });
});

describe('kafka bus start-up', () => {
  it('keeps trying to subscribe while its topic is not there yet, then consumes', async () => {
    const prefix = testTopicPrefix();
    const bus = kafka.create(prefix);
    const seen: string[] = [];
    const subscribing = bus.subscribe<{ id: string }>({
      topic: Topic.Alarms,
      groupId: `g-${uniqueSuffix()}`,
      decode: decoderFor('alarm.v1'),
      handle: async (m) => void seen.push(m.value.id),
    });
    let subscribed = false;
    void subscribing.then(() => (subscribed = true));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(subscribed).toBe(false);
    const creator = kafka.create(prefix);
    await creator.ensureTopics();
    await subscribing;
    const alarm = firstGood('alarm.v1') as Record<string, unknown>;
    await creator.publish(Topic.Alarms, [{ key: 'h', value: { ...alarm, id: 'after-create' } }]);
    await waitFor('the message on the late topic', () => seen.includes('after-create'));
    await Promise.all([bus.close(), creator.close()]);
  });
});
