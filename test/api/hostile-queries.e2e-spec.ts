// Found by the chaos suite's injection checks: a NUL (%00) in any free-text filter or path id was a
// 500 (PostgreSQL cannot compare text with one), a date far outside PostgreSQL's range too, and the
// date filters took JavaScript's lenient reading of garbage ("' OR '1'='1" is 1 January 2001), so
// such a filter selected everything since then. Each is now a 400 naming the parameter.
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { smallCloud } from '../support/topology';

describe('hostile query strings and path ids', () => {
  let engine: TestEngine;
  const get = (path: string) => http('GET', `${engine.url}${path}`);

  beforeAll(async () => {
    engine = await startTestEngine();
    expect((await http('PUT', `${engine.url}/v1/inventory`, smallCloud())).status).toBe(200);
  });
  afterAll(() => engine?.close());

  it.each([
    ['/v1/plans?resource=%00', 'resource'],
    ['/v1/plans?rule=a%00b', 'rule'],
    ['/v1/plans?alarm=%00', 'alarm'],
    ['/v1/alarms?type=%00', 'type'],
    ['/v1/alarms?source=%00', 'source'],
    ['/v1/alarms?resource=%00', 'resource'],
    ['/v1/actions?host=%00', 'host'],
    ['/v1/instances?hostId=%00', 'hostId'],
    ['/v1/instances?groupId=%00', 'groupId'],
    ['/v1/plans?x[y]=%00', 'x[y]'],
    ['/v1/hosts/%00', 'path'],
    ['/v1/instances/a%00', 'path'],
    ['/v1/groups/%00/status', 'path'],
    ['/v1/hosts/a%00/maintenance', 'path'],
  ])('refuses a NUL: %s', async (path, param) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toEqual({
      path: param,
      message: 'must not contain a NUL character',
    });
  });

  it.each([
    "' OR '1'='1",
    '-1',
    '$1',
    '-271821-04-20T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '275760-09-13',
  ])('refuses %j as a date in every date filter', async (value) => {
    for (const path of ['/v1/plans', '/v1/alarms', '/v1/stats']) {
      for (const param of ['from', 'to']) {
        const res = await get(`${path}?${param}=${encodeURIComponent(value)}`);
        expect([path, param, res.status]).toEqual([path, param, 400]);
        expect(res.body.error.details[0].path).toBe(param);
      }
    }
  });

  it('still takes ISO-8601 dates, with or without a time and a zone', async () => {
    for (const value of ['2026-01-01', '2026-01-01T10:00:00Z', '2026-01-01T10:00:00.5+02:00']) {
      expect((await get(`/v1/plans?from=${encodeURIComponent(value)}`)).status).toBe(200);
    }
  });

  it('refuses forged cursors that would carry a NUL or an impossible time', async () => {
    const nul = Buffer.from('\u0000', 'utf8').toString('base64url');
    expect((await get(`/v1/hosts?cursor=${nul}`)).status).toBe(400);
    const far = Buffer.from(
      '-271821-04-20T00:00:00.000Z|6d2e1c4a-0000-4000-8000-000000000000',
    ).toString('base64url');
    expect((await get(`/v1/plans?cursor=${far}`)).status).toBe(400);
  });
});
