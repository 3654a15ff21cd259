// Scenario 4: the fuzzer's alarms over Kafka and HTTP, then hostile rules, oversize bodies and
// injection attempts, against one engine; it must refuse every bad input with a reason, process
// every valid one, and neither crash nor grow without bound.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { consumeUntil, type ObservedMessage } from '../../support/kafka';
import { waitFor } from '../../support/wait-for';
import { buildCloud, Rng, STORM_CLOUD } from './cloud';
import { failedPlans } from './recovery-checks';
import { ChaosCluster } from './cluster';
import { type FuzzCase, fuzzCases } from './fuzz';
import { hostileRules, oversizeBodies, queryInjections } from './hostile';
import { type WebhookCase, webhookCases } from './webhook-fuzz';
import type { ResultRow } from './results';
import { ROOT } from './service-process';

interface HttpAnswer {
  status: number;
  body: any;
}

const BATCH_BYTES = 900_000;

function copyRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reflex-chaos-rules-'));
  for (const file of readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.json'))) {
    cpSync(join(ROOT, 'rules', file), join(dir, file));
  }
  return dir;
}

async function sendKafka(brokers: string, topic: string, cases: FuzzCase[]): Promise<void> {
  const producer = new Kafka({
    clientId: 'chaos-fuzz',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    let batch: FuzzCase[] = [];
    let bytes = 0;
    const flush = async () => {
      if (!batch.length) return;
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((c) => ({ key: `fz-${c.n}`, value: c.body })),
      });
      batch = [];
      bytes = 0;
    };
    for (const c of cases) {
      const size = Buffer.byteLength(c.body) + 64;
      if (batch.length >= 200 || bytes + size > BATCH_BYTES) await flush();
      batch.push(c);
      bytes += size;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
}

/** Posts each case's body, 4 at a time; hands over the status and the body (parsed, if JSON). */
async function postAll<C extends { body: string }>(
  cases: C[],
  urlOf: (c: C) => string,
  answered: (c: C, answer: HttpAnswer & { text: string }) => void,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const res = await fetch(urlOf(c), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: c.body,
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      answered(c, { status: res.status, body, text });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function sendHttp(url: string, cases: FuzzCase[], answers: Map<number, HttpAnswer>) {
  return postAll(
    cases,
    () => `${url}/v1/alarms`,
    (c, { status, body }) => answers.set(c.n, { status, body }),
  );
}

/** Every webhook case posted; what each was answered that it should not have been. */
async function webhookViolations(url: string, cases: WebhookCase[]): Promise<string[]> {
  const violations: string[] = [];
  await postAll(
    cases,
    (c) => `${url}${c.path}`,
    (c, { status, body, text }) => {
      const items = status === 202 && Array.isArray(body?.items) ? body.items : null;
      const ok =
        c.expect === 'refused'
          ? status === 400 && typeof body?.error?.message === 'string'
          : items?.length === c.items &&
            (c.expect === 'accepted' ||
              (items[0]?.disposition === 'rejected' && typeof items[0]?.reason === 'string'));
      if (!ok)
        violations.push(
          `webhook case ${c.n} (${c.category}) answered ${status} ${text.slice(0, 150)}`,
        );
    },
  );
  return violations;
}

/** The alarm rows of the fuzz, by alarm id, with the disposition and reason. */
async function storedFuzz(cluster: ChaosCluster) {
  const rows = await cluster.query<{
    alarm_id: string;
    disposition: string;
    reason: string | null;
    n: string;
  }>(
    `SELECT alarm_id, min(disposition) AS disposition, min(decision->>'reason') AS reason, count(*) AS n
       FROM alarms WHERE source = 'fuzz' GROUP BY alarm_id`,
  );
  return new Map(rows.map((r) => [r.alarm_id, { ...r, n: Number(r.n) }]));
}

export async function runFuzzScenario(brokers: string, count: number, seed: number) {
  const started = Date.now();
  const rulesDir = copyRules();
  const cluster = await ChaosCluster.create({
    label: 'fuzz',
    brokers,
    engines: 1,
    drivers: 0,
    rulesDir,
  });
  const violations: string[] = [];
  try {
    await cluster.start();
    const engine = cluster.engines[0];
    const cloud = buildCloud(STORM_CLOUD, new Rng(seed));
    await cluster.seed(cloud);
    const cases = fuzzCases(cloud, count, seed);
    const answers = new Map<number, HttpAnswer>();
    const topic = `${cluster.prefix}alarms`;
    const expectedRows = cases.filter((c) => c.expect !== 'refused').length;
    const refusedKafka = cases.filter((c) => c.expect === 'refused' && c.channel === 'kafka');

    // A first fifth warms the engine up; its memory then is the baseline for the rest.
    const cut = Math.floor(cases.length / 5);
    const run = async (part: FuzzCase[]) => {
      const over = (channel: FuzzCase['channel']) => part.filter((c) => c.channel === channel);
      await Promise.all([
        sendKafka(brokers, topic, over('kafka')),
        sendHttp(engine.url, over('http'), answers),
      ]);
      const rows = part.filter((c) => c.expect !== 'refused').map((c) => c.alarm!.id);
      await waitFor(
        'the fuzzed alarms to be stored',
        async () => {
          const stored = await storedFuzz(cluster);
          return rows.every((id) => stored.has(id));
        },
        { timeoutMs: 180_000, intervalMs: 1000 },
      );
    };
    await run(cases.slice(0, cut));
    const warmRss = engine.rssKb() ?? 0;
    const warmFds = engine.openFds() ?? 0;
    await run(cases.slice(cut));
    const finalRss = engine.rssKb() ?? 0;
    const finalFds = engine.openFds() ?? 0;

    // Every valid alarm stored once (rejected if about a resource that does not exist).
    const stored = await storedFuzz(cluster);
    for (const c of cases.filter((x) => x.expect !== 'refused')) {
      const row = stored.get(c.alarm!.id);
      if (!row) violations.push(`valid case ${c.n} (${c.category}, ${c.channel}) not stored`);
      else if (row.n !== 1) violations.push(`case ${c.n} stored ${row.n} times`);
      else if ((row.disposition === 'rejected') !== (c.expect === 'rejected')) {
        violations.push(`case ${c.n} (${c.category}): disposition ${row.disposition}`);
      } else if (c.expect === 'rejected' && !/not in the inventory/.test(row.reason ?? '')) {
        violations.push(`case ${c.n}: rejected without the reason (${row.reason})`);
      }
    }
    if (stored.size !== expectedRows)
      violations.push(`${stored.size} fuzz rows stored, ${expectedRows} expected`);

    // Every bad one refused with a reason: dead-lettered with x-error, or answered 400/413.
    let dead: ObservedMessage[] = [];
    if (refusedKafka.length) {
      dead = await consumeUntil(
        `${cluster.prefix}alarms.dlq`,
        (m) => m.length >= refusedKafka.length,
        {
          timeoutMs: 120_000,
          description: `${refusedKafka.length} dead letters`,
        },
      );
    }
    const deadByKey = new Map(dead.map((m) => [m.key, m]));
    for (const c of refusedKafka) {
      const letter = deadByKey.get(`fz-${c.n}`);
      if (!letter) violations.push(`bad case ${c.n} (${c.category}) not dead-lettered`);
      else if (!letter.headers['x-error'])
        violations.push(`dead letter of case ${c.n} without x-error`);
    }
    const refusedKeys = new Set(refusedKafka.map((c) => `fz-${c.n}`));
    const wrongly = dead.filter((m) => !refusedKeys.has(m.key ?? ''));
    if (wrongly.length)
      violations.push(
        `${wrongly.length} valid alarm(s) dead-lettered, e.g. ${wrongly[0].headers['x-error']}`,
      );
    for (const c of cases.filter((x) => x.channel === 'http')) {
      const a = answers.get(c.n);
      if (!a) violations.push(`no answer for case ${c.n}`);
      else if (c.expect === 'refused') {
        const big = Buffer.byteLength(c.body) > 1024 * 1024;
        if (a.status !== (big ? 413 : 400) || !a.body?.error?.message) {
          violations.push(
            `bad case ${c.n} (${c.category}) answered ${a.status} ${JSON.stringify(a.body).slice(0, 150)}`,
          );
        }
      } else if (a.status !== 202) {
        violations.push(
          `valid case ${c.n} (${c.category}) answered ${a.status} ${JSON.stringify(a.body).slice(0, 150)}`,
        );
      }
    }

    const hooks = webhookCases(cloud, Math.max(100, Math.floor(count / 20)), seed);
    violations.push(...(await webhookViolations(engine.url, hooks)));

    const rules = await hostileRules(cluster, rulesDir);
    const bodies = await oversizeBodies(cluster);
    const queries = await queryInjections(cluster);
    violations.push(...rules.violations, ...bodies.violations, ...queries.violations);

    const health = await fetch(`${engine.url}/healthz`)
      .then((r) => r.status)
      .catch(() => 0);
    if (!engine.alive || health !== 200)
      violations.push(`the engine is not healthy after the fuzz (${health})`);
    violations.push(...cluster.crashes());
    if (finalRss > 2 * warmRss)
      violations.push(`engine memory grew from ${warmRss} kB to ${finalRss} kB`);

    // No driver runs here, so no instance moves and no plan can fail: a failed plan is a defect.
    const failed = await failedPlans(cluster, new Set(), []);
    violations.push(...failed.violations);
    const byCategory = new Map<string, number>();
    for (const c of cases) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
    const row: ResultRow = {
      scenario: 'bad-input',
      kills: 0,
      restarts: 0,
      messages: cases.length + hooks.length + rules.requests + bodies.requests + queries.requests,
      alarms: stored.size,
      plans: Number((await cluster.query<{ n: string }>(`SELECT count(*) AS n FROM plans`))[0].n),
      leftDown: 'n/a (no simulated cloud)',
      failedPlans: failed.cell,
      lost: cases.filter((c) => c.expect !== 'refused' && !stored.has(c.alarm!.id)).length,
      duplicated: [...stored.values()].filter((r) => r.n > 1).length,
      pass: violations.length === 0,
      seconds: Math.round((Date.now() - started) / 1000),
      notes: [
        `${cases.length} fuzzed alarms (${[...byCategory].map(([k, v]) => `${k} ${v}`).join(', ')}; ` +
          `${cases.filter((c) => c.channel === 'http').length} over HTTP), ${dead.length} dead letters`,
        `${hooks.length} Alertmanager and Aodh webhook bodies (${hooks.filter((h) => h.expect !== 'accepted').length} broken)`,
        `${rules.requests} hostile rule checks, ${bodies.requests} oversize bodies, ${queries.requests} injection requests`,
        `engine RSS ${Math.round(warmRss / 1024)} MB after warm-up, ${Math.round(finalRss / 1024)} MB at the end; ` +
          `open fds ${warmFds} then ${finalFds}`,
        ...violations.slice(0, 10),
      ].join('; '),
    };
    return { row, violations };
  } catch (error) {
    throw new Error(`bad-input: ${(error as Error).message}\n${cluster.engines[0].output(3000)}`);
  } finally {
    await cluster.close();
  }
}
