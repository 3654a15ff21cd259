// Found by the chaos suite's fuzzer: alarms that were valid JSON and passed validation but that
// PostgreSQL cannot store (a NUL in a label, half a surrogate pair, year 0000) failed every insert:
// 500 over HTTP, and on Kafka the message was retried forever, so every later alarm of its
// partition waited behind it. They are now refused with the reason, and the partition moves on.
import { ValidationError } from '@reflex/common';
import { UnitOfWork } from '@reflex/persistence';
import { Topic, topicName, type AlarmV1 } from '@reflex/contracts';
import { AlarmRepository } from '../../apps/engine/src/decisions/alarm.repository';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';
import { consumeUntil, sendMessages } from '../support/kafka';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

// Built as text: JSON.stringify would escape nothing away, but the point is the wire form.
const raw = (a: AlarmV1, patch: string) => `${JSON.stringify(a).slice(0, -1)},${patch}}`;

describe('alarms the database cannot store', () => {
  const ctx = engineWithDatabase();

  beforeAll(async () => {
    await ctx.putInventory(smallCloud());
  });

  it.each([
    ['a NUL in a label', '"labels":{"zone":"a\\u0000"}'],
    ['a lone surrogate in an annotation', '"annotations":{"summary":"\\ud800"}'],
  ])('answers 400 with the reason over HTTP: %s', async (_why, patch) => {
    const res = await http(
      'POST',
      `${ctx.engine.url}/v1/alarms`,
      raw(alarm('disk.full', 'host', 'cmp-01'), patch),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/NUL|surrogate/);
  });

  it('answers 400 for year 0000 over HTTP', async () => {
    const res = await http('POST', `${ctx.engine.url}/v1/alarms`, {
      ...alarm('disk.full', 'host', 'cmp-01'),
      occurredAt: '0000-01-01T00:00:00Z',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('/occurredAt');
  });

  it('dead-letters them on Kafka and goes on with the partition', async () => {
    const topic = topicName(Topic.Alarms, ctx.engine.config.topicPrefix);
    const after = alarm('disk.full', 'host', 'cmp-02');
    await sendMessages(topic, [
      {
        key: 'cmp-02',
        value: raw(alarm('disk.full', 'host', 'cmp-02'), '"labels":{"a":"\\u0000"}'),
      },
      {
        key: 'cmp-02',
        value: JSON.stringify({
          ...alarm('disk.full', 'host', 'cmp-02'),
          occurredAt: '0000-01-01T00:00:00Z',
        }),
      },
      { key: 'cmp-02', value: JSON.stringify(after) },
    ]);
    await waitFor('the alarm behind them to be decided', async () => {
      const r = await ctx.db.query(`SELECT 1 FROM alarms WHERE alarm_id = $1`, [after.id]);
      return r.rowCount === 1;
    });
    const dead = await consumeUntil(
      topicName(Topic.AlarmsDlq, ctx.engine.config.topicPrefix),
      (m) => m.length >= 2,
    );
    expect(dead.map((d) => d.headers['x-error'])).toEqual([
      expect.stringMatching(/NUL/),
      expect.stringMatching(/occurredAt/),
    ]);
  });

  it('refuses, not retries, whatever else the database refuses for good', async () => {
    const repository = ctx.engine.app.get(AlarmRepository);
    const unstorable = { ...alarm('disk.full', 'host', 'cmp-01'), labels: { a: 'x\u0000' } };
    const attempt = ctx.engine.app
      .get(UnitOfWork)
      .transaction(() => repository.insertMany([{ alarm: unstorable, payload: unstorable }]));
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ retriable: false, message: /cannot be stored/ });
  });
});
