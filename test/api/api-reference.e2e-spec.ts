// docs/api.md is written by hand; this keeps it current: every route of the engine's and the driver's
// OpenAPI documents has its section there, naming each of its query parameters, every section is a
// route one of them serves, and every topic and message schema is in it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topic } from '@reflex/contracts';
import { startTestDriver, type TestDriver } from '../support/driver-app';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';

const doc = readFileSync(join(__dirname, '../../docs/api.md'), 'utf8');

/**
 * Documented routes that no OpenAPI document lists: the probes (left out of the documents) and the
 * all-in-one's simulated outage, which only its driver serves.
 */
const NOT_IN_OPENAPI = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'POST /v1/sim/hosts/:id/fail',
];

/** `#### \`GET /v1/plans\`` sections: the route, and the text up to the next heading. */
function sections(): Map<string, string> {
  const found = new Map<string, string>();
  const heading = /^#### `([A-Z]+) (\/[^`]*)`\n([\s\S]*?)(?=^#{2,4} |(?![\s\S]))/gm;
  for (const [, method, path, text] of doc.matchAll(heading)) found.set(`${method} ${path}`, text);
  return found;
}

interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }> }>>;
}

/** `GET /v1/plans/:id` → the query parameters the document gives it. */
function routes(openApi: OpenApi): Map<string, string[]> {
  const all = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(openApi.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
      all.set(
        route,
        query.map((p) => p.name),
      );
    }
  }
  return all;
}

describe('docs/api.md', () => {
  let engine: TestEngine;
  let driver: TestDriver;
  let served: Map<string, string[]>;

  beforeAll(async () => {
    engine = await startTestEngine();
    driver = await startTestDriver({ env: { SIMULATOR_CONTROL: '1' } });
    served = new Map();
    for (const url of [engine.url, driver.url]) {
      const openApi = (await http<OpenApi>('GET', `${url}/docs-json`)).body;
      for (const [route, query] of routes(openApi)) served.set(route, query);
    }
  }, 120_000);
  afterAll(async () => {
    await driver?.close();
    await engine?.close();
  });

  it('has a section for every route of the OpenAPI documents, and no other', () => {
    const documented = [...sections().keys()];
    expect(served.size).toBeGreaterThan(40);
    expect([...served.keys()].filter((route) => !documented.includes(route))).toEqual([]);
    expect(
      documented.filter((route) => !served.has(route) && !NOT_IN_OPENAPI.includes(route)),
    ).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it("names each route's query parameters in its section", () => {
    const text = sections();
    const missing = [...served].flatMap(([route, query]) =>
      query.filter((name) => !text.get(route)?.includes(`\`${name}\``)).map((n) => `${route} ${n}`),
    );
    expect(missing).toEqual([]);
  });

  it('lists every topic and every message schema', () => {
    const topics = doc.slice(doc.indexOf('## Kafka topics'), doc.indexOf('## Messages'));
    expect(Object.values(Topic).filter((t) => !topics.includes(`| \`${t}\` |`))).toEqual([]);
    const schemas = readdirSync(join(__dirname, '../../libs/contracts/src/schemas'));
    expect(schemas.length).toBeGreaterThan(5);
    expect(schemas.filter((file) => !doc.includes(`\`${file}\``))).toEqual([]);
  });
});
