import { startTestDriver, type TestDriver } from '../support/driver-app';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { ensureConsoleBuilt } from '../console/support/console-build';
import { rawHttp } from '../support/http';
import { alarm } from '../support/topology';

const ADMIN = 'admin-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';
const TOKENS = { AUTH_TOKENS: `root:admin:${ADMIN},ro:viewer:${VIEWER}` };
const JSON_TYPE = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('security (README, Security)', () => {
  let engine: TestEngine;
  let driver: TestDriver;
  let openEngine: TestEngine;
  let openDriver: TestDriver;

  beforeAll(async () => {
    [engine, driver, openEngine, openDriver] = await Promise.all([
      startTestEngine(TOKENS),
      startTestDriver({ env: TOKENS }),
      startTestEngine(),
      startTestDriver({ env: { ALLOWED_HOSTS: 'reflex.example.com' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([engine, driver, openEngine, openDriver].map((app) => app?.close()));
  });

  describe('authentication is on for every path but the public ones, however it is spelt', () => {
    const engineCalls: Array<[string, string]> = [
      ['PUT', '/V1/hosts/x'],
      ['DELETE', '/V1/hosts/x'],
      ['POST', '/V1/rules/reload'],
      ['PUT', '/v1/HOSTS/x'],
      ['PUT', '/%761/hosts/x'],
      ['PUT', '/%56%31/hosts/x'],
      ['PUT', '//v1/hosts/x'],
      ['PUT', '/v1/hosts/x/'],
      ['GET', '/V1/plans'],
      ['GET', '/no-such-route'],
      ['GET', '/docs/%2e%2e/v1/plans'],
      ['GET', '/docs/..%2Fv1/plans'],
      ['GET', '/healthz/../v1/plans'],
    ];
    const driverCalls: Array<[string, string]> = [
      ['DELETE', '/V1/sim/faults'],
      ['DELETE', '/v1/SIM/faults'],
      ['DELETE', '/%761/sim/faults'],
      ['PUT', '/V1/sim/state'],
      ['GET', '/v1/Sim/calls'],
    ];

    it.each(engineCalls)('engine: %s %s without a token → 401', async (method, path) => {
      const res = await rawHttp(method, engine.url, path, JSON_TYPE, '{}');
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it.each(driverCalls)('driver: %s %s without a token → 401', async (method, path) => {
      const res = await rawHttp(method, driver.url, path, JSON_TYPE, '{}');
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    });

    it('routes the same spellings with a token, and checks the role there', async () => {
      expect((await rawHttp('GET', engine.url, '/V1/plans', bearer(VIEWER))).status).toBe(200);
      expect((await rawHttp('GET', engine.url, '/v1/PLANS/', bearer(VIEWER))).status).toBe(200);
      const reload = await rawHttp('POST', engine.url, '/V1/rules/reload', {
        ...JSON_TYPE,
        ...bearer(VIEWER),
      });
      expect({ status: reload.status, code: reload.body.error.code }).toEqual({
        status: 403,
        code: 'FORBIDDEN',
      });
      const faults = await rawHttp('DELETE', driver.url, '/V1/sim/faults', {
        ...JSON_TYPE,
        ...bearer(ADMIN),
      });
      expect(faults.status).toBeLessThan(300);
    });

    it.each([
      ['/healthz', 200],
      ['/HEALTHZ', 200],
      ['/healthz/', 200],
      ['/readyz', 200],
      ['/metrics', 200],
      ['/docs', 200],
      ['/docs/swagger-ui.css', 200],
      ['/docs-json', 200],
    ])('leaves %s public (→ %i without a token)', async (path, status) => {
      expect((await rawHttp('GET', engine.url, path)).status).toBe(status);
      expect((await rawHttp('GET', driver.url, path)).status).toBe(status);
    });

    it("leaves the console's files public: the engine serves them, the driver has none", async () => {
      await ensureConsoleBuilt();
      for (const path of [
        '/console',
        '/console/',
        '/console/index.html',
        '/Console/settings.json',
      ]) {
        expect({ path, status: (await rawHttp('GET', engine.url, path)).status }).toEqual({
          path,
          status: 200,
        });
        expect({ path, status: (await rawHttp('GET', driver.url, path)).status }).toEqual({
          path,
          status: 404,
        });
      }
      // The page's data comes only through the token-guarded API.
      for (const path of ['/v1/session', '/v1/changes', '/console/../v1/plans']) {
        expect({ path, status: (await rawHttp('GET', engine.url, path)).status }).toEqual({
          path,
          status: 401,
        });
      }
    });
  });

  describe('with authentication off', () => {
    it('serves only loopback Host names and ALLOWED_HOSTS', async () => {
      for (const host of [
        'localhost:3000',
        '127.0.0.1',
        '127.1.2.3:80',
        '[::1]:3000',
        'a.localhost',
      ]) {
        const res = await rawHttp('GET', openEngine.url, '/v1/plans', { host });
        expect({ host, status: res.status }).toEqual({ host, status: 200 });
      }
      for (const host of ['attacker.example', 'localhost.attacker.example', '10.0.0.5:3000']) {
        const res = await rawHttp('GET', openEngine.url, '/v1/plans', { host });
        expect({ host, status: res.status, code: res.body.error.code }).toEqual({
          host,
          status: 403,
          code: 'HOST_NOT_ALLOWED',
        });
        expect(res.body.error.details).toEqual([
          { path: 'header:host', message: expect.stringContaining('ALLOWED_HOSTS') },
        ]);
      }
      const allowed = { host: 'Reflex.Example.com:3001' };
      expect((await rawHttp('GET', openDriver.url, '/v1/sim/calls', allowed)).status).toBe(200);
      const other = { host: 'other.example.com' };
      expect((await rawHttp('GET', openDriver.url, '/v1/sim/calls', other)).status).toBe(403);
      // Probes answer whatever the Host: an orchestrator calls them by address.
      expect((await rawHttp('GET', openEngine.url, '/readyz', other)).status).toBe(200);
    });

    it('refuses a state-changing call that does not declare JSON with 415, and keeps nothing', async () => {
      const body = JSON.stringify(alarm('disk.full', 'host', 'cmp-01'));
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
        const headers: Record<string, string> = type ? { 'content-type': type } : {};
        const res = await rawHttp('POST', openEngine.url, '/v1/alarms', headers, body);
        expect({ type, status: res.status, code: res.body.error.code }).toEqual({
          type,
          status: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
        });
        expect(res.body.error.details).toEqual([
          { path: 'header:content-type', message: 'must be application/json' },
        ]);
      }
      expect((await rawHttp('GET', openEngine.url, '/v1/alarms')).body.items).toEqual([]);
      // A body-less POST (what a cross-site page sends without asking) is refused too.
      expect((await rawHttp('POST', openEngine.url, '/v1/rules/reload')).status).toBe(415);
      expect((await rawHttp('DELETE', openDriver.url, '/v1/sim/faults')).status).toBe(415);
      const crossSite = { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' };
      expect((await rawHttp('POST', openEngine.url, '/v1/alarms', crossSite, body)).status).toBe(
        415,
      );
      // A browser's own page (Swagger UI at /docs) is believed when it says it is same-origin.
      const sameOrigin = { 'sec-fetch-site': 'same-origin' };
      expect((await rawHttp('POST', openEngine.url, '/v1/rules/reload', sameOrigin)).status).toBe(
        200,
      );
      const declared = { 'content-type': 'application/json; charset=utf-8' };
      expect((await rawHttp('POST', openEngine.url, '/v1/alarms', declared, body)).status).toBe(
        202,
      );
      expect((await rawHttp('DELETE', openDriver.url, '/v1/sim/faults', JSON_TYPE)).status).toBe(
        204,
      );
    });
  });

  describe('response headers', () => {
    it.each([
      ['engine, an answer', () => engine.url, '/healthz'],
      ['engine, a refusal', () => engine.url, '/v1/plans'],
      ['engine, the API docs', () => engine.url, '/docs'],
      ['driver, an answer', () => driver.url, '/readyz'],
      ['open engine, a 404', () => openEngine.url, '/no-such-route'],
    ])('%s carries the security headers and no X-Powered-By', async (_case, base, path) => {
      const { headers } = await rawHttp('GET', base(), path);
      expect(headers['x-powered-by']).toBeUndefined();
      expect(headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      const csp = String(headers['content-security-policy']);
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
      ])
        expect(csp).toContain(directive);
    });

    it('keeps Swagger UI within the policy: every script of /docs comes from this origin', async () => {
      const page = await rawHttp('GET', engine.url, '/docs');
      const scripts = [...String(page.body).matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(attributes).toMatch(/src=["'][^"':]+["']/);
        expect(inline.trim()).toBe('');
      }
    });
  });
});
