// The alarms consumer decides what every partition of a fetch has waiting in one transaction
// (Coalescer): the planning cell's lock is then taken once per fetch rather than once per partition.
// Alarms waiting on three partitions when the engine starts come in one fetch: they are stored by
// one transaction (one xmin). An alarm the database cannot store, on one of the partitions, costs
// the other partitions nothing: their alarms are decided, it is dead-lettered with the reason, and
// the alarms behind it on its own partition are decided too.
import { Topic, topicName, type AlarmV1 } from '@reflex/contracts';
import type { Message } from 'kafkajs';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startEngineOn, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { consumeUntil, sendMessages, testTopicPrefix } from '../support/kafka';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

const PARTITIONS = 3;

interface Waiting {
  alarm: AlarmV1;
  partition: number;
}

describe('the partitions of a fetch, decided together', () => {
  let database: TestDatabase;
  let db: Client;
  let prefix: string;
  let engine: TestEngine | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('intake_partitions_together');
    prefix = testTopicPrefix();
    // A first engine makes the topics and takes the inventory, then leaves.
    const first = await startEngineOn(database, prefix);
    expect((await http('PUT', `${first.url}/v1/inventory`, smallCloud())).status).toBe(200);
    await first.close();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  const topic = () => topicName(Topic.Alarms, prefix);
  /** Three alarms per partition, each on a host of the small cloud. */
  const waiting = (tag: string): Waiting[] =>
    Array.from({ length: PARTITIONS * 3 }, (_, i) => ({
      alarm: alarm('disk.full', 'host', `cmp-0${(i % 3) + 1}`, { id: `${tag}-${i}` }),
      partition: i % PARTITIONS,
    }));
  const message = ({ alarm: a, partition }: Waiting, value = JSON.stringify(a)): Message => ({
    key: a.resource.id,
    partition,
    value,
  });
  /** The transaction (xmin) that stored each decided alarm of `tag`. */
  const stored = async (tag: string) =>
    (
      await db.query<{ alarm_id: string; xmin: string }>(
        `SELECT alarm_id, xmin::text FROM alarms
          WHERE alarm_id LIKE $1 AND disposition <> 'received' ORDER BY alarm_id`,
        [`${tag}-%`],
      )
    ).rows;

  it('stores the alarms of every partition of one fetch in one transaction', async () => {
    const alarms = waiting('together');
    await sendMessages(
      topic(),
      alarms.map((a) => message(a)),
    );
    engine = await startEngineOn(database, prefix);
    await waitFor(
      'every alarm decided',
      async () => (await stored('together')).length === alarms.length,
    );
    const rows = await stored('together');
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
  });

  it('decides the other partitions, and the rest of its own, when one alarm cannot be stored', async () => {
    const alarms = waiting('bad');
    // The second alarm of partition 1: a NUL in a label, which PostgreSQL refuses.
    const unstorable = alarms.filter((a) => a.partition === 1)[1];
    const raw = `${JSON.stringify(unstorable.alarm).slice(0, -1)},"labels":{"a":"x\\u0000"}}`;
    await sendMessages(
      topic(),
      alarms.map((a) => (a === unstorable ? message(a, raw) : message(a))),
    );
    engine = await startEngineOn(database, prefix);
    const good = alarms.filter((a) => a !== unstorable).map((a) => a.alarm.id);
    await waitFor(
      'every other alarm decided',
      async () => (await stored('bad')).length === good.length,
    );
    expect((await stored('bad')).map((r) => r.alarm_id)).toEqual([...good].sort());
    const dead = await consumeUntil(topicName(Topic.AlarmsDlq, prefix), (m) =>
      m.some((d) => d.value?.includes(unstorable.alarm.id)),
    );
    expect(dead.find((d) => d.value?.includes(unstorable.alarm.id))?.headers['x-error']).toMatch(
      /NUL/,
    );
  });
});
