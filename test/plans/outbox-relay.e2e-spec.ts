import { DataSource, type EntityManager } from 'typeorm';
import { readAll, sendMessages, testKafka } from '../support/kafka';
import { waitFor } from '../support/wait-for';
import { startTestEngine, type TestEngine } from '../support/engine-app';

/** Every message on a topic right now (the sum of its partitions' high watermarks). */
async function everything(topic: string) {
  const admin = testKafka('reflex-test-admin').admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  return total === 0 ? [] : readAll(topic, total);
}

/**
 * What a relay leaves behind when it dies between noting an attempt and committing the outcome:
 * an unpublished row with an attempt note. `onBroker` also puts the message on the broker, as if
 * the publish had gone through before the crash.
 */
async function inDoubtRow(engine: TestEngine, key: string, onBroker: boolean): Promise<string> {
  return engine.app.get(DataSource).transaction(async (m: EntityManager) => {
    const [{ id }] = await m.query<{ id: string }[]>(
      `INSERT INTO outbox (topic, key, value) VALUES ('plans', $1, $2::jsonb) RETURNING id::text`,
      [key, JSON.stringify({ key })],
    );
    await m.query(
      `INSERT INTO outbox_attempts (outbox_id, attempted_at) VALUES ($1, now() - interval '2 seconds')`,
      [id],
    );
    if (onBroker) {
      await sendMessages(`${engine.config.topicPrefix}plans`, [
        { key, value: JSON.stringify({ key }), headers: { 'x-outbox-id': id } },
      ]);
    }
    return id;
  });
}

describe('outbox relay: a message whose publication is in doubt is sent once', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(() => engine?.close());

  const published = (id: string) =>
    waitFor(`outbox row ${id} to be published`, async () => {
      const [row] = await engine.app
        .get(DataSource)
        .query(`SELECT published_at FROM outbox WHERE id = $1`, [id]);
      return (row as { published_at: Date | null }).published_at !== null;
    });

  it('finds a message that reached the broker before the crash, and does not send it again', async () => {
    const id = await inDoubtRow(engine, 'already-there', true);
    await published(id);
    const copies = (await everything(`${engine.config.topicPrefix}plans`)).filter(
      (m) => m.key === 'already-there',
    );
    expect(copies).toHaveLength(1);
    const [left] = await engine.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM outbox_attempts WHERE outbox_id = $1`, [id]);
    expect(left).toEqual({ n: 0 });
  });

  it('sends a message that never reached the broker, once, with its outbox id', async () => {
    const id = await inDoubtRow(engine, 'never-sent', false);
    await published(id);
    const copies = (await everything(`${engine.config.topicPrefix}plans`)).filter(
      (m) => m.key === 'never-sent',
    );
    expect(copies).toHaveLength(1);
    expect(copies[0].headers['x-outbox-id']).toBe(id);
    expect(JSON.parse(copies[0].value!)).toEqual({ key: 'never-sent' });
  });

  it('publishes fresh messages in order, each once', async () => {
    const ids = await engine.app.get(DataSource).transaction(async (m: EntityManager) => {
      const rows = await m.query<{ id: string }[]>(
        `INSERT INTO outbox (topic, key, value)
         SELECT 'plans', 'ordered', jsonb_build_object('n', n) FROM generate_series(1, 50) AS n
         RETURNING id::text`,
      );
      return rows.map((r) => r.id);
    });
    await published(ids[ids.length - 1]);
    const copies = (await everything(`${engine.config.topicPrefix}plans`)).filter(
      (m) => m.key === 'ordered',
    );
    expect(copies.map((c) => (JSON.parse(c.value!) as { n: number }).n)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });
});
