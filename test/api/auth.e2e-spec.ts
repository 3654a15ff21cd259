import { captureStdout } from '../support/captured-stdout';
import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

const TOKENS = {
  viewer: 'viewer-token-0123456789',
  operator: 'operator-token-0123456789',
  admin: 'admin-token-0123456789abc',
};

describe('API roles (AUTH_TOKENS)', () => {
  let engine: TestEngine;
  let written: string[] = [];
  let restore: () => void;

  beforeAll(async () => {
    ({ written, restore } = captureStdout());
    engine = await startTestEngine({
      AUTH_TOKENS: `ro:viewer:${TOKENS.viewer},ops:operator:${TOKENS.operator},root:admin:${TOKENS.admin}`,
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await engine.close();
    restore();
  });

  const as = (role: keyof typeof TOKENS | null, method: string, path: string, body?: unknown) =>
    http(
      method,
      `${engine.url}${path}`,
      body,
      role ? { authorization: `Bearer ${TOKENS[role]}` } : {},
    );

  it('refuses /v1 calls without a valid token with 401, and leaves health open', async () => {
    expect((await as(null, 'GET', '/v1/plans')).status).toBe(401);
    const wrong = await http('GET', `${engine.url}/v1/plans`, undefined, {
      authorization: 'Bearer not-a-token-at-all',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
    expect(
      (await http('GET', `${engine.url}/v1/plans`, undefined, { authorization: 'Basic abc' }))
        .status,
    ).toBe(401);
    expect((await as(null, 'GET', '/healthz')).status).toBe(200);
  });

  it.each([
    ['viewer', 'GET', '/v1/plans', 200, undefined],
    ['viewer', 'GET', '/v1/inventory', 200, undefined],
    ['viewer', 'GET', '/v1/rules', 200, undefined],
    ['viewer', 'GET', '/v1/alarms', 200, undefined],
    ['viewer', 'POST', '/v1/rules/validate', 200, { name: 'x' }],
    ['viewer', 'PUT', '/v1/inventory', 403, smallCloud()],
    ['viewer', 'POST', '/v1/plans/00000000-0000-4000-8000-000000000000/approve', 403, {}],
    ['viewer', 'POST', '/v1/alarms', 403, alarm('disk.full', 'host', 'cmp-01')],
    ['viewer', 'POST', '/v1/rules/reload', 403, {}],
    ['operator', 'POST', '/v1/plans/00000000-0000-4000-8000-000000000000/approve', 404, {}],
    ['operator', 'POST', '/v1/plans/00000000-0000-4000-8000-000000000000/cancel', 404, {}],
    ['operator', 'POST', '/v1/actions/00000000-0000-4000-8000-000000000000/abort', 404, {}],
    ['operator', 'POST', '/v1/hosts/cmp-01/maintenance', 404, { reason: 'x' }],
    ['operator', 'POST', '/v1/alarms', 202, alarm('disk.full', 'host', 'cmp-01')],
    ['operator', 'PUT', '/v1/inventory', 403, smallCloud()],
    ['operator', 'POST', '/v1/rules/reload', 403, {}],
    ['admin', 'PUT', '/v1/inventory', 200, smallCloud()],
    ['admin', 'POST', '/v1/rules/reload', 200, {}],
    ['admin', 'POST', '/v1/plans/00000000-0000-4000-8000-000000000000/approve', 404, {}],
  ] as const)('%s %s %s → %i', async (role, method, path, status, body) => {
    const res = await as(role, method, path, body);
    expect({ status: res.status, body: res.status === 403 ? res.body.error.code : 'n/a' }).toEqual({
      status,
      body: status === 403 ? 'FORBIDDEN' : 'n/a',
    });
  });

  it('logs every state-changing call with the token name as its actor, refusals included', async () => {
    // A spare host: the drain below keeps every host's failover possible (keepSurvivable).
    await as('admin', 'PUT', '/v1/inventory', smallCloud(0, 1));
    await as('admin', 'POST', '/v1/rules/reload', {});
    await as('operator', 'POST', '/v1/alarms', alarm('disk.full', 'host', 'cmp-02'));
    await as('operator', 'POST', '/v1/hosts/cmp-01/maintenance', { reason: 'firmware' });
    await as(null, 'DELETE', '/V1/hosts/cmp-01');
    const audit = () =>
      written
        .join('')
        .split('\n')
        .filter((line) => line.includes('"context":"audit"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const expected = [
      { actor: 'root', role: 'admin', method: 'PUT', path: '/v1/inventory', status: 200 },
      { actor: 'root', role: 'admin', method: 'POST', path: '/v1/rules/reload', status: 200 },
      { actor: 'ops', role: 'operator', method: 'POST', path: '/v1/alarms', status: 202 },
      {
        actor: 'ops',
        role: 'operator',
        method: 'POST',
        path: '/v1/hosts/cmp-01/maintenance',
        status: 202,
      },
      { actor: null, role: null, method: 'DELETE', path: '/V1/hosts/cmp-01', status: 401 },
    ];
    // The response can reach the test a moment before its log line is written.
    await waitFor('the last audit line', () => audit().at(-1)?.path === '/V1/hosts/cmp-01');
    // The maintenance alarm carries who asked, for its audit and its plan's explanation.
    const requested = await as('viewer', 'GET', '/v1/alarms?type=host.maintenance.requested');
    expect(requested.body.items[0].annotations).toMatchObject({ requestedBy: 'ops' });
    expect(audit().slice(-expected.length)).toEqual(
      expected.map((e) => expect.objectContaining({ msg: 'api call', level: 'info', ...e })),
    );
  });

  it('never writes a token to the logs', () => {
    const log = written.join('');
    expect(log).toContain('API token(s) configured');
    for (const token of Object.values(TOKENS)) expect(log).not.toContain(token);
  });
});
