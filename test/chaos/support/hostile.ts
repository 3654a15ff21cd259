// Hostile input besides alarms: rule files and rule documents meant to hurt (10 MB, conditions
// nested 1,000 deep, unknown operators, costly paths), oversize HTTP bodies, and injection attempts
// in every query filter and path id of the engine's API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http } from '../../support/http';
import type { ChaosCluster } from './cluster';

export interface HostileReport {
  requests: number;
  violations: string[];
}

interface Answer {
  status: number;
  body: any;
  ms: number;
}

async function send(method: string, url: string, body?: string): Promise<Answer> {
  const started = Date.now();
  return { ...(await http(method, url, body)), ms: Date.now() - started };
}

const rule = (conditions: unknown, name = 'hostile') => ({
  name,
  enabled: true,
  priority: 1,
  mode: 'auto',
  cooldownSeconds: 0,
  conditions,
  event: { type: 'notify', params: { severity: 'info', message: 'x', onFailure: 'continue' } },
});
const leaf = (path = '$.type', operator = 'equal') => ({
  fact: 'alarm',
  path,
  operator,
  value: 'x',
});
function nested(depth: number): unknown {
  let node: unknown = leaf();
  for (let i = 0; i < depth; i++) node = { all: [node] };
  return node;
}

/** Rule documents and files the engine must refuse with errors, keeping the live rules. */
export async function hostileRules(
  cluster: ChaosCluster,
  rulesDir: string,
): Promise<HostileReport> {
  const engine = cluster.engines[0].url;
  const violations: string[] = [];
  let requests = 0;
  const documents: Array<[string, unknown]> = [
    ['conditions nested 1,000 deep', rule(nested(1000))],
    ['an unknown operator', rule({ all: [leaf('$.type', 'matchesRegex')] })],
    ['an unknown operator decorator', rule({ all: [leaf('$.type', 'eval:equal')] })],
    ['a recursive-descent path', rule({ all: [leaf('$..id')] })],
    ['a filter-expression path', rule({ all: [leaf('$[?(@.constructor)]')] })],
    ['a script path', rule({ all: [leaf('$[(process.exit())]')] })],
    ['a wildcard path', rule({ all: [leaf('$.*')] })],
    ['a path of 40 steps', rule({ all: [leaf(`$${'.a'.repeat(40)}`)] })],
    [
      'an unknown fact',
      rule({ all: [{ fact: 'process', path: '$.env', operator: 'equal', value: 'x' }] }),
    ],
    [
      '__proto__ as a fact reference key',
      JSON.parse(
        JSON.stringify(rule({ all: [leaf()] })).replace(
          '"value":"x"',
          '"value":{"fact":"alarm","__proto__":{}}',
        ),
      ),
    ],
  ];
  for (const [why, document] of documents) {
    requests += 1;
    const res = await send('POST', `${engine}/v1/rules/validate`, JSON.stringify(document));
    if (res.status !== 200 || res.body?.valid !== false || !res.body.errors?.length) {
      violations.push(
        `rule with ${why}: validate answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
      );
    }
  }
  requests += 1;
  const huge = await send(
    'POST',
    `${engine}/v1/rules/validate`,
    JSON.stringify(rule({ all: [{ ...leaf(), value: 'x'.repeat(10 * 1024 * 1024) }] })),
  );
  if (huge.status !== 413)
    violations.push(`a 10 MB rule document: validate answered ${huge.status}`);

  // The same as files: each refused on reload, the rule set unchanged (and the shipped rule a
  // hostile file tries to replace keeps its live version).
  const before = (await send('GET', `${engine}/v1/rules`)).body.items as Array<{
    name: string;
    hash: string;
  }>;
  const files: Array<[string, string]> = [
    [
      'huge.rule.json',
      JSON.stringify(rule({ all: [{ ...leaf(), value: 'x'.repeat(10 * 1024 * 1024) }] }, 'huge')),
    ],
    ['deep.rule.json', JSON.stringify(rule(nested(1000), 'deep'))],
    [
      'operator.rule.json',
      JSON.stringify(rule({ all: [leaf('$.type', 'matchesRegex')] }, 'operator')),
    ],
    ['costly.rule.json', JSON.stringify(rule({ all: [leaf('$..*')] }, 'costly'))],
    ['broken.rule.json', '{"name": "broken", '],
    [
      'host-down-failover.rule.json',
      JSON.stringify(rule({ all: [leaf('$[?(@)]')] }, 'host-down-failover')),
    ],
  ];
  for (const [file, content] of files) writeFileSync(join(rulesDir, file), content);
  requests += 1;
  const reload = await send('POST', `${engine}/v1/rules/reload`);
  const results = (reload.body?.results ?? []) as Array<{
    file: string;
    status: string;
    errors: unknown[];
  }>;
  for (const [file] of files) {
    const result = results.find((r) => r.file === file);
    if (result?.status !== 'refused' || !result.errors.length) {
      violations.push(
        `rule file ${file}: reload said ${JSON.stringify(result ?? reload.body).slice(0, 200)}`,
      );
    }
  }
  const after = (await send('GET', `${engine}/v1/rules`)).body.items as Array<{
    name: string;
    hash: string;
  }>;
  const live = (items: Array<{ name: string; hash: string }>) =>
    items
      .map((r) => `${r.name}@${r.hash}`)
      .sort()
      .join(',');
  if (live(before) !== live(after))
    violations.push('the live rules changed after hostile files were refused');
  return { requests, violations };
}

/** Bodies over the limits: 413 in the error shape, on every route that takes a body. */
export async function oversizeBodies(cluster: ChaosCluster): Promise<HostileReport> {
  const engine = cluster.engines[0].url;
  const violations: string[] = [];
  const body = (mb: number) => JSON.stringify({ blob: 'x'.repeat(mb * 1024 * 1024) });
  // Megabytes just over each route's limit: 1 MB by default, 8 MB for the webhooks (an Alertmanager
  // group has no size limit of its own).
  const routes: Array<[string, string, number]> = [
    ['POST', '/v1/alarms', 2],
    ['POST', '/v1/alarms/alertmanager', 9],
    ['POST', '/v1/alarms/aodh', 9],
    ['POST', '/v1/rules/validate', 2],
    ['POST', '/v1/rules/evaluate', 2],
    ['POST', '/v1/hosts/h-az1-01/maintenance', 2],
    ['PUT', '/v1/hosts/h-az1-01', 2],
    ['PUT', '/v1/groups/grp-01', 2],
  ];
  for (const [method, path, mb] of routes) {
    const res = await send(method, `${engine}${path}`, body(mb));
    if (res.status !== 413 || !res.body?.error?.code) {
      violations.push(
        `${method} ${path} with ${mb} MB: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`,
      );
    }
  }
  return { requests: routes.length, violations };
}

const PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE plans; --",
  "x'; SELECT pg_sleep(3); --",
  "' UNION SELECT id, payload FROM alarms --",
  "a'||pg_sleep(3)||'",
  '$1',
  '\\',
  '%00',
  'nul%00byte',
  '%ED%A0%80',
  '{"$gt":""}',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '1e309',
  '-1',
  '99999999999999999999999',
  'NaN',
  '__proto__',
  'constructor',
  '-271821-04-20T00:00:00Z',
  'x'.repeat(5000),
];

const FILTERS: Record<string, string[]> = {
  '/v1/plans': ['state', 'policy', 'rule', 'alarm', 'resource', 'from', 'to', 'limit', 'cursor'],
  '/v1/alarms': ['type', 'source', 'resource', 'disposition', 'from', 'to', 'limit', 'cursor'],
  '/v1/actions': ['type', 'state', 'host', 'limit', 'cursor'],
  '/v1/hosts': ['limit', 'cursor'],
  '/v1/instances': ['hostId', 'groupId', 'limit', 'cursor'],
  '/v1/groups': ['limit', 'cursor'],
  '/v1/stats': ['from', 'to'],
};
const PATHS = [
  '/v1/plans/:id',
  '/v1/plans/:id/events',
  '/v1/alarms/:id',
  '/v1/hosts/:id',
  '/v1/instances/:id',
  '/v1/groups/:id',
  '/v1/groups/:id/status',
  '/v1/hosts/:id/maintenance',
];

/**
 * Every filter and path id with every payload, also as an array and as an object: never a 5xx, a
 * 400 names the parameter, a 200 finds nothing (the text matched literally), nothing sleeps, and the
 * tables are as they were.
 */
export async function queryInjections(cluster: ChaosCluster): Promise<HostileReport> {
  const engine = cluster.engines[0].url;
  const violations: string[] = [];
  let requests = 0;
  const counts = async () =>
    JSON.stringify(
      await cluster.query(
        `SELECT (SELECT count(*) FROM plans) p, (SELECT count(*) FROM alarms) a, (SELECT count(*) FROM hosts) h`,
      ),
    );
  const before = await counts();
  const check = (what: string, res: Answer, listing: boolean) => {
    requests += 1;
    if (res.status >= 500) violations.push(`${what}: ${res.status}`);
    else if (res.ms > 2500) violations.push(`${what}: took ${res.ms} ms`);
    else if (
      res.status === 400 &&
      !(res.body?.error?.details?.[0]?.path || res.body?.error?.message)
    ) {
      violations.push(`${what}: a 400 without a reason`);
    } else if (
      res.status === 200 &&
      listing &&
      Array.isArray(res.body?.items) &&
      res.body.items.length > 0
    ) {
      violations.push(`${what}: matched ${res.body.items.length} item(s)`);
    } else if (![200, 400, 404].includes(res.status)) violations.push(`${what}: ${res.status}`);
  };
  for (const [path, params] of Object.entries(FILTERS)) {
    for (const param of params) {
      for (const payload of PAYLOADS) {
        // A filter that matched must have matched the text literally; limit and cursor select no rows.
        const listing = !['limit', 'cursor'].includes(param) && path !== '/v1/stats';
        const value = payload.includes('%') ? payload : encodeURIComponent(payload);
        for (const query of [
          `${param}=${value}`,
          `${param}=${value}&${param}=x`,
          `${param}[$ne]=${value}`,
        ]) {
          const res = await send('GET', `${engine}${path}?${query}`).catch((e: Error) => ({
            status: 599,
            body: e.message,
            ms: 0,
          }));
          check(`GET ${path}?${query.slice(0, 60)}`, res, listing && !query.includes('[$ne]'));
        }
      }
    }
  }
  for (const template of PATHS) {
    for (const payload of PAYLOADS) {
      const value = payload.includes('%') ? payload : encodeURIComponent(payload);
      const res = await send('GET', `${engine}${template.replace(':id', value)}`).catch(
        (e: Error) => ({ status: 599, body: e.message, ms: 0 }),
      );
      requests += 1;
      if (![400, 404].includes(res.status)) {
        violations.push(`GET ${template.replace(':id', value.slice(0, 40))}: ${res.status}`);
      }
    }
  }
  if ((await counts()) !== before) violations.push('the tables changed under injection attempts');
  return { requests, violations };
}
