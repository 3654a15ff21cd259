/**
 * `npm run bench -- --only audit [--quick]`: the audit queries of the REST API on a generated year
 * of history.
 *
 * `BENCH_AUDIT_KEEP=1` keeps the generated history in the database `reflex_bench_audit_<plans>`
 * (1000000, or 50000 with --quick) and reuses it on the next run with the same variable, which
 * then skips the generation (8 minutes or more): for trying queries and indexes quickly. The engine
 * migrates that database when it starts, so a new migration is measured too. Without the variable
 * the history is generated in a database of its own and dropped at the end; a kept one stays until
 * dropped by hand: `psql -c 'DROP DATABASE reflex_bench_audit_1000000'`.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { DEFAULT_LIMIT, PLAN_PAGE_SIZE } from '../../apps/engine/src/plans/plan-query';
import { type BenchContext, type Scenario, size } from '../support/context';
import { startBenchEngine } from '../support/engine';
import { Prng } from '../support/prng';
import { formatFigure, row, type Row } from '../support/report';
import {
  ignoreClient,
  queryStats,
  resetQueryLog,
  startQueryLog,
  totalQueries,
} from '../support/query-log';
import { median, percentiles } from '../support/stats';
import {
  ACTIONS_PER_PLAN,
  EVENTS_PER_PLAN,
  generateHistory,
  HISTORY_DAYS,
  HOSTS,
  INSTANCES,
} from './audit/generate';
import { keptDatabase } from './audit/kept-database';

const S = 'audit';
/**
 * Lists of plans are measured with their default page and again with 100 plans a page, to tell the
 * cost of the page size from the cost of finding the rows.
 */
const LARGE_PAGE = 100;
const STATES = ['succeeded', 'failed', 'rolled_back', 'cancelled', 'blocked', 'superseded'];

interface Query {
  name: string;
  /** A list, where the page size matters. */
  paged: boolean;
  /** A request path with random parameters, and a check that the answer respects them. */
  next(prng: Prng): { path: string; check: (body: any) => string | null };
}

/** The uuid PostgreSQL makes of md5(text), as the generator names plans. */
const md5Uuid = (text: string) => {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const pad = (n: number, width: number) => String(n).padStart(width, '0');

function queries(plans: number, now: number): Query[] {
  return [
    {
      name: 'plans by resource',
      paged: true,
      next: (prng) => {
        const resource =
          prng.next() < 0.5
            ? `cmp-${pad(prng.int(HOSTS), 5)}`
            : `vm-${pad(prng.int(INSTANCES), 6)}`;
        return {
          path: `/v1/plans?resource=${resource}`,
          check: (body) =>
            body.items.every((p: unknown) => JSON.stringify(p).includes(`"${resource}"`))
              ? null
              : `a plan in the answer does not touch ${resource}`,
        };
      },
    },
    {
      name: 'plans by state and time',
      paged: true,
      next: (prng) => {
        const state = prng.pick(STATES);
        const to = now - prng.int(HISTORY_DAYS - 1) * 86_400_000;
        const from = to - 86_400_000;
        return {
          path: `/v1/plans?state=${state}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
          check: (body) =>
            body.items.every(
              (p: { state: string; createdAt: string }) =>
                p.state === state &&
                Date.parse(p.createdAt) >= from &&
                Date.parse(p.createdAt) < to,
            )
              ? null
              : `a plan in the answer is not ${state} or not created within the day asked`,
        };
      },
    },
    {
      name: 'plan timeline',
      paged: false,
      next: (prng) => {
        const id = md5Uuid(`p${1 + prng.int(plans)}`);
        return {
          path: `/v1/plans/${id}/events`,
          check: (body) =>
            body.items.length === EVENTS_PER_PLAN &&
            body.items.every((e: { planId: string }) => e.planId === id)
              ? null
              : `the timeline of ${id} has ${body.items?.length} lines, not ${EVENTS_PER_PLAN}`,
        };
      },
    },
  ];
}

/**
 * Audit reads through the REST API on a year of history generated in SQL: `plans` plans,
 * ten actions each, thirteen timeline lines each, in the engine's own schema and indexes.
 * Requests go one at a time (latency, not throughput), with the API's default page size.
 */
export const auditScenario: Scenario = {
  name: 'audit',
  title: 'Audit: REST queries on 1,000,000 plans / 10,000,000 actions',
  async run(ctx: BenchContext): Promise<Row[]> {
    await ctx.postgres();
    await ctx.kafka();
    startQueryLog();
    const plans = size(ctx, 1_000_000, 50_000);
    const requests = size(ctx, 200, 50);
    const kept = process.env.BENCH_AUDIT_KEEP === '1' ? await keptDatabase(plans) : null;
    // On a kept database the engine migrates it at start: a new migration applies to the history.
    const engine = await startBenchEngine(kept ? { DATABASE_URL: kept.url } : {});
    const sessions: Client[] = [];
    try {
      const databaseUrl = kept?.url ?? engine.database.url;
      for (let i = 0; i < 2; i++) sessions.push(await plainClient(databaseUrl));
      const rows: Row[] = [];
      if (kept?.complete) {
        ctx.log(`audit data: reusing ${plans} plans in the kept database ${kept.name}`);
      } else {
        rows.push(await generate(ctx, sessions, plans));
        await kept?.markComplete();
      }
      if (kept) ctx.log(`audit data: kept in ${kept.name}; drop it when done`);
      // The generator's "now": the newest plan, however long ago a kept history was made.
      const newest = await sessions[0].query<{ at: Date }>(
        `SELECT max(created_at) AS at FROM plans`,
      );
      const now = newest.rows[0].at.getTime();
      const prng = new Prng(11);
      for (const query of queries(plans, now)) {
        const measure = async (limit: number | null) => {
          // Warm-up: connections, JIT, the first index pages.
          for (let i = 0; i < 10; i++) await request(engine.url, query.next(prng), limit);
          const times: number[] = [];
          const dbTimes: number[] = [];
          let statements = 0;
          let failures = 0;
          let firstFailure: string | null = null;
          let items = 0;
          for (let i = 0; i < requests; i++) {
            const r = await request(engine.url, query.next(prng), limit);
            times.push(r.ms);
            dbTimes.push(r.dbMs);
            statements += r.statements;
            items += r.items;
            if (r.problem) {
              failures += 1;
              firstFailure ??= r.problem;
            }
          }
          const checked = failures
            ? `${failures} of ${requests} answers WRONG (${firstFailure})`
            : 'every answer checked against its filter';
          const p = percentiles(times);
          return {
            p,
            failures,
            note:
              `${requests} requests one at a time with random parameters, ` +
              `${formatFigure(items / requests)} items per answer on average; ${checked}; ` +
              `max ${formatFigure(p.max)} ms; database ${formatFigure(median(dbTimes))} ms of the median request ` +
              `in ${formatFigure(statements / requests)} statements, the rest in the engine (rows to JSON, HTTP)`,
          };
        };
        const byDefault = await measure(null);
        ctx.log(
          `${query.name}: p50 ${formatFigure(byDefault.p.p50)} ms, p95 ${formatFigure(byDefault.p.p95)} ms`,
        );
        rows.push(
          row(S, `${query.name} p50`, byDefault.p.p50, 'ms'),
          row(
            S,
            `${query.name} p95`,
            byDefault.failures ? Number.NaN : byDefault.p.p95,
            'ms',
            { target: 20, comparator: '<=' },
            `the API's default page size (${query.paged ? PLAN_PAGE_SIZE : DEFAULT_LIMIT}); ${byDefault.note}`,
          ),
        );
        if (query.paged) {
          const large = await measure(LARGE_PAGE);
          rows.push(
            row(
              S,
              `${query.name} p95, limit=${LARGE_PAGE}`,
              large.failures ? Number.NaN : large.p.p95,
              'ms',
              undefined,
              large.note,
            ),
          );
        }
      }
      return rows;
    } finally {
      for (const s of sessions) await s.end().catch(() => undefined);
      await engine.close();
    }
  },
};

/** Generates the history and says how it went, as the report's first row. */
async function generate(ctx: BenchContext, sessions: Client[], plans: number): Promise<Row> {
  const t0 = Date.now();
  ctx.log(`audit data: generating ${plans} plans, ${plans * ACTIONS_PER_PLAN} actions`);
  const generated = await generateHistory(sessions, plans, ctx.log);
  const generationS = (Date.now() - t0) / 1000;
  const sizes = await sessions[0].query<{ total: string }>(
    `SELECT pg_size_pretty(pg_database_size(current_database())) AS total`,
  );
  const slowest = [...generated.steps]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 3)
    .map((s) => `${s.step} ${formatFigure(s.seconds)} s`)
    .join(', ');
  return row(
    S,
    `generate ${plans} plans / ${plans * ACTIONS_PER_PLAN} actions in SQL`,
    generationS,
    's',
    undefined,
    `${generated.events} timeline lines too; database ${sizes.rows[0].total}; slowest steps: ${slowest}; keys and indexes rebuilt from the migrations' definitions, schema compared before and after`,
  );
}

/** A connection of the bench's own, left out of the engine's query counts. */
async function plainClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  ignoreClient(client);
  await client.connect();
  return client;
}

async function request(
  base: string,
  q: { path: string; check: (body: any) => string | null },
  limit: number | null,
): Promise<{
  ms: number;
  dbMs: number;
  statements: number;
  items: number;
  problem: string | null;
}> {
  const path =
    limit === null ? q.path : `${q.path}${q.path.includes('?') ? '&' : '?'}limit=${limit}`;
  resetQueryLog();
  const started = performance.now();
  const response = await fetch(`${base}${path}`);
  const text = await response.text();
  const ms = performance.now() - started;
  const dbMs = queryStats().reduce((sum, s) => sum + s.totalMs, 0);
  const statements = totalQueries();
  if (!response.ok) {
    return {
      ms,
      dbMs,
      statements,
      items: 0,
      problem: `${path}: ${response.status} ${text.slice(0, 200)}`,
    };
  }
  const body = JSON.parse(text) as { items: unknown[] };
  return { ms, dbMs, statements, items: body.items.length, problem: q.check(body) };
}
