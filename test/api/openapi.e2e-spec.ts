import { DEFAULT_LIMIT, PLAN_PAGE_SIZE } from '../../apps/engine/src/plans/plan-query';
import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';

/** Every endpoint CONTRACT.md names, plus the audit extensions. */
const CONTRACT_ROUTES = [
  'GET /v1/inventory',
  'PUT /v1/inventory',
  ...['hosts', 'instances', 'groups'].flatMap((r) =>
    ['GET', 'PUT', 'DELETE'].map((m) => `${m} /v1/${r}/{id}`),
  ),
  'GET /v1/groups/{id}/status',
  'POST /v1/hosts/{id}/maintenance',
  'DELETE /v1/hosts/{id}/maintenance',
  'POST /v1/alarms',
  'POST /v1/alarms/alertmanager',
  'POST /v1/alarms/aodh',
  'GET /v1/alarms',
  'GET /v1/rules',
  'POST /v1/rules/validate',
  'POST /v1/rules/evaluate',
  'POST /v1/rules/reload',
  'GET /v1/plans',
  'GET /v1/plans/{id}',
  'GET /v1/plans/{id}/events',
  'POST /v1/plans/{id}/approve',
  'POST /v1/plans/{id}/cancel',
  'GET /v1/capacity/forecast',
  'GET /v1/actions',
  'POST /v1/actions/{id}/abort',
  'POST /v1/actions/{id}/force-complete',
  'GET /v1/stats',
  'GET /v1/hosts',
  'GET /v1/groups',
  'GET /v1/hosts/{id}/maintenance',
];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('OpenAPI document', () => {
  let engine: TestEngine;
  beforeAll(async () => (engine = await startTestEngine()));
  afterAll(() => engine.close());

  it('is served at /docs-json and lists every route the engine serves under /v1', async () => {
    const doc = (await http('GET', `${engine.url}/docs-json`)).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const express = engine.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
    const served = express.router.stack
      .filter((l) => l.route?.path.startsWith('/v1/'))
      .flatMap((l) =>
        Object.keys(l.route!.methods).map(
          (m) => `${m.toUpperCase()} ${l.route!.path.replace(/:([A-Za-z]+)/g, '{$1}')}`,
        ),
      );
    expect(served.length).toBeGreaterThanOrEqual(CONTRACT_ROUTES.length);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
    expect(CONTRACT_ROUTES.filter((r) => !documented.has(r))).toEqual([]);
  });

  it("gives each list's page size, the plans' their own", async () => {
    const doc = (await http('GET', `${engine.url}/docs-json`)).body as {
      paths: Record<string, { get: { parameters: Array<{ name: string; description: string }> } }>;
    };
    const limits = (path: string) =>
      doc.paths[path].get.parameters.filter((p) => p.name === 'limit').map((p) => p.description);
    expect(limits('/v1/plans')).toEqual([expect.stringContaining(`default ${PLAN_PAGE_SIZE}`)]);
    expect(limits('/v1/actions')).toEqual([expect.stringContaining(`default ${DEFAULT_LIMIT}`)]);
  });

  it('gives every request body a real schema, from the contract JSON Schemas where there is one', async () => {
    type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };
    const doc = (await http('GET', `${engine.url}/docs-json`)).body as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>
      >;
      components: { securitySchemes: Record<string, unknown> };
      security: unknown;
    };
    const bodies = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        op.requestBody
          ? [
              {
                route: `${method.toUpperCase()} ${path}`,
                schema: op.requestBody.content['application/json'].schema,
              },
            ]
          : [],
      ),
    );
    expect(bodies.length).toBeGreaterThanOrEqual(10);
    // A bare `{ type: object }` tells a client nothing.
    const bare = bodies.filter(
      ({ schema }) => !schema.properties && !schema.oneOf && !schema.allOf && !schema.$ref,
    );
    expect(bare.map((b) => b.route)).toEqual([]);
    const body = (route: string) => bodies.find((b) => b.route === route)!.schema;

    const alarm = (body('POST /v1/alarms').oneOf as Schema[])[0];
    expect(alarm.required).toEqual(
      expect.arrayContaining(['id', 'source', 'type', 'resource', 'occurredAt']),
    );
    expect(alarm.properties!.severity.enum).toEqual([
      'critical',
      'major',
      'minor',
      'warning',
      'info',
    ]);
    const dryRun = body('POST /v1/rules/evaluate');
    expect(dryRun.additionalProperties).toBe(false);
    expect(dryRun.properties!.alarm.properties!.resource.properties!.kind.enum).toEqual([
      'host',
      'instance',
      'group',
    ]);
    expect(dryRun.properties!.inventory.properties!.hosts.type).toBe('array');
    const rule = body('POST /v1/rules/validate');
    expect(rule.required).toEqual([
      'name',
      'priority',
      'mode',
      'cooldownSeconds',
      'conditions',
      'event',
    ]);
    expect(rule.properties!.event.properties!.params.properties!.allowNoStandby).toMatchObject({
      type: 'boolean',
      description: expect.stringContaining('host-drain'),
    });
    expect(body('POST /v1/hosts/{id}/maintenance')).toMatchObject({
      required: ['reason'],
      additionalProperties: false,
      properties: { notBefore: { format: 'date-time' } },
    });
    expect(body('POST /v1/plans/{id}/approve').properties).toHaveProperty('reason');
    expect(body('POST /v1/alarms/alertmanager').required).toEqual(['version', 'alerts']);
    expect(body('POST /v1/alarms/aodh').required).toEqual(['alarm_id', 'current']);

    // Static tokens, not JWTs.
    expect(doc.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      description: expect.stringContaining('AUTH_TOKENS'),
    });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('serves the UI at /docs', async () => {
    const res = await fetch(`${engine.url}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/swagger-ui/i);
  });
});
