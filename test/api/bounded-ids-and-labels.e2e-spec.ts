// Issue 14: a 19-digit id or cursor past PostgreSQL's bigint was a 500, and every free-text alarm
// type became a Prometheus label for good (2,000 types: /metrics 527 KB).
import { randomUUID } from 'node:crypto';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { alarm } from '../support/topology';

describe('ids within their column, metric labels within bounds', () => {
  let engine: TestEngine;
  const get = (path: string) => http('GET', `${engine.url}${path}`);
  const cursor = (id: string) => Buffer.from(id).toString('base64url');

  beforeAll(async () => (engine = await startTestEngine()));
  afterAll(() => engine?.close());

  it.each([
    [`/v1/alarms?cursor=${cursor('9999999999999999999')}`, 'cursor'],
    [`/v1/plans/${randomUUID()}/events?cursor=${cursor('9223372036854775808')}`, 'cursor'],
    ['/v1/alarms/9999999999999999999', 'id'],
  ])('answers 400 naming the parameter to a bigint overflow: %s', async (path, param) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe(param);
  });

  it('still takes the largest bigint', async () => {
    expect((await get('/v1/alarms/9223372036854775807')).status).toBe(404);
    const page = await get(`/v1/alarms?cursor=${cursor('9223372036854775807')}`);
    expect(page.status).toBe(200);
  });

  it('counts 2,000 unknown alarm types as `other`, keeping /metrics small', async () => {
    for (let batch = 0; batch < 10; batch++) {
      const alarms = Array.from({ length: 200 }, (_, i) =>
        alarm(`junk.${batch}.${i}.${'x'.repeat(40)}`, 'host', 'cmp-01'),
      );
      expect((await http('POST', `${engine.url}/v1/alarms`, alarms)).status).toBeLessThan(300);
    }
    expect(
      (await http('POST', `${engine.url}/v1/alarms`, alarm('host.down', 'host', 'cmp-09'))).status,
    ).toBeLessThan(300);
    const metrics = (await get('/metrics')).body as string;
    expect(metrics).not.toContain('junk.');
    expect(metrics).toMatch(/reflex_alarms_total\{type="other",disposition="[a-z_]+"\} 2000/);
    expect(metrics).toMatch(/reflex_alarms_total\{type="host\.down",/);
    expect(metrics.length).toBeLessThan(64 * 1024);
  });
});
