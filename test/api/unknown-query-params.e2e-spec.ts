import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { smallCloud } from '../support/topology';

/** CONTRACT §8: an unknown query parameter is a 400 naming it, never silently ignored. */
describe('unknown query parameters (real Kafka, PostgreSQL)', () => {
  let engine: TestEngine;
  const get = (path: string) => http('GET', `${engine.url}${path}`);

  beforeAll(async () => {
    engine = await startTestEngine();
    expect((await http('PUT', `${engine.url}/v1/inventory`, smallCloud(4))).status).toBe(200);
  });
  afterAll(() => engine?.close());

  it.each([
    ['/v1/alarms', 'type'],
    ['/v1/plans', 'state'],
    ['/v1/actions', 'host'],
    ['/v1/hosts', 'limit'],
    ['/v1/instances', 'hostId'],
    ['/v1/groups', 'limit'],
    ['/v1/stats', 'from'],
  ])('GET %s refuses an unknown parameter by name and still takes %s', async (path, known) => {
    const bad = await get(`${path}?frm=2026-01-01`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.message).toContain('unknown query parameter frm');
    expect(bad.body.error.message).toContain(known);
    expect(bad.body.error.details).toEqual([{ path: 'frm', message: expect.any(String) }]);

    const values: Record<string, string> = { from: '2026-01-01', limit: '5', state: 'running' };
    expect((await get(`${path}?${known}=${values[known] ?? 'x'}`)).status).toBe(200);
  });

  it('names every unknown parameter, on an item route and a route that takes none too', async () => {
    const two = await get('/v1/actions?from=2026-01-01&sort=asc&type=evacuate');
    expect(two.status).toBe(400);
    expect(two.body.error.details.map((d: { path: string }) => d.path)).toEqual(['from', 'sort']);
    const item = await get('/v1/hosts/cmp-01?verbose=1');
    expect(item.status).toBe(400);
    expect(item.body.error.message).toMatch(/unknown query parameter verbose \(it takes none\)/);
    expect((await get('/v1/hosts/cmp-01')).status).toBe(200);
  });

  it('leaves the paths outside the API alone', async () => {
    expect((await get('/healthz?probe=1')).status).toBe(200);
  });
});
