import type { PlanV1 } from '@reflex/contracts';
import { DataSource } from 'typeorm';
import { MAX_LIMIT, PLAN_PAGE_SIZE } from '../../apps/engine/src/plans/plan-query';
import { engineWithDatabase } from '../support/engine-with-database';
import { http } from '../support/http';

const PLANS = 1000;

/** 1,000 final plans; every three share a created_at, so paging must break ties by id. */
const SEED_PLANS = `
  INSERT INTO plans (state, policy, mode, target_kind, target_id, trigger_alarm_id, trigger_source,
                     trigger_rule, trigger_rule_version, trigger_rule_hash, resources, created_at)
  SELECT (ARRAY['succeeded','failed','rolled_back','cancelled','blocked'])[1 + g % 5],
         (ARRAY['host-failover','host-drain','switch-over','migrate-off'])[1 + g % 4],
         'auto', 'host', 'h-' || g, 'a-' || g, 'audit', 'rule-' || (g % 3), 1, 'hash',
         ARRAY['h-' || g, 'vm-' || (g % 50)],
         timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => g / 3)
    FROM generate_series($1::int, $2::int) g`;

interface PlanItem {
  id: string;
  state: string;
  policy: string;
  createdAt: string;
  trigger: { rule: string; alarmId: string };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  /** With EXPLAIN ANALYZE. */
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

describe('audit API', () => {
  const ctx = engineWithDatabase();
  const get = async (path: string) => (await http('GET', `${ctx.engine.url}${path}`)).body;

  async function all(query: string, limit = 37): Promise<PlanItem[]> {
    const items: PlanItem[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(
        `/v1/plans?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      items.push(...(page.items as PlanItem[]));
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  beforeAll(async () => {
    await ctx.db.query(SEED_PLANS, [1, PLANS]);
  });

  it(`pages through ${PLANS} plans newest first without gaps or repeats`, async () => {
    const items = await all('');
    const expected = await ctx.db.query(`SELECT id FROM plans ORDER BY created_at DESC, id DESC`);
    expect(items).toHaveLength(PLANS);
    expect(new Set(items.map((p) => p.id)).size).toBe(PLANS);
    expect(items.map((p) => p.id)).toEqual(expected.rows.map((r) => r.id));
  });

  it.each([
    ['state=failed', `state = 'failed'`],
    ['policy=host-drain', `policy = 'host-drain'`],
    ['rule=rule-2', `trigger_rule = 'rule-2'`],
    ['alarm=a-5', `trigger_alarm_id = 'a-5'`],
    ['resource=vm-7', `resources @> ARRAY['vm-7']`],
    ['resource=h-10', `resources @> ARRAY['h-10']`],
    [
      'from=2026-01-01T00:01:00Z&to=2026-01-01T00:02:00Z',
      `created_at >= '2026-01-01T00:01:00Z' AND created_at < '2026-01-01T00:02:00Z'`,
    ],
    [
      'state=succeeded&policy=switch-over&resource=vm-20',
      `state = 'succeeded' AND policy = 'switch-over' AND resources @> ARRAY['vm-20']`,
    ],
  ])('filters by %s', async (query, where) => {
    const items = await all(query, 50);
    const expected = await ctx.db.query(
      `SELECT id FROM plans WHERE ${where} ORDER BY created_at DESC, id DESC`,
    );
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(items.map((p) => p.id)).toEqual(expected.rows.map((r) => r.id));
  });

  it.each([
    ['state=done', 'state'],
    ['policy=reboot', 'policy'],
    ['from=yesterday', 'from'],
    ['limit=0', 'limit'],
    ['cursor=bogus', 'cursor'],
    [`resource=${'x'.repeat(300)}`, 'resource'],
  ])('refuses %s with a 400 naming the parameter', async (query, field) => {
    const res = await http('GET', `${ctx.engine.url}/v1/plans?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe(field);
  });

  it('treats injection attempts in filters as plain values', async () => {
    const res = await http(
      'GET',
      `${ctx.engine.url}/v1/plans?rule=${encodeURIComponent("x' OR '1'='1")}&resource=${encodeURIComponent("'); DROP TABLE plans; --")}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect((await ctx.db.query(`SELECT count(*)::int AS n FROM plans`)).rows[0].n).toBe(PLANS);
  });

  it('serves the plan-by-resource, plan-by-state-and-time and timeline queries from indexes on 1,000,000 actions', async () => {
    await ctx.db.query(SEED_PLANS, [PLANS + 1, 100_000]);
    await ctx.db.query(`
      INSERT INTO actions (plan_id, seq, type, params, state, attempts, progress, host_ids, created_at)
      SELECT p.id, s, 'live-migrate',
             jsonb_build_object('instanceId', 'vm-' || s, 'fromHostId', p.target_id, 'toHostId', 'h-x'),
             'succeeded', 1, 100, ARRAY[p.target_id, 'h-x'], p.created_at
        FROM plans p CROSS JOIN generate_series(1, 10) s`);
    await ctx.db.query(`
      INSERT INTO plan_events (plan_id, at, type, from_state, to_state)
      SELECT p.id, p.created_at, 'state', 'pending', 'running' FROM plans p CROSS JOIN generate_series(1, 3)`);
    await ctx.db.query('ANALYZE plans; ANALYZE actions; ANALYZE plan_events');
    expect((await ctx.db.query(`SELECT count(*)::int AS n FROM actions`)).rows[0].n).toBe(
      1_000_000,
    );

    const dataSource = ctx.engine.app.get(DataSource);
    const captured: Array<{ sql: string; params: unknown[] }> = [];
    const capture = (target: { query: (...args: any[]) => Promise<unknown> }) => {
      const original = target.query.bind(target);
      return jest
        .spyOn(target, 'query')
        .mockImplementation(async (sql: string, params?: unknown[]) => {
          captured.push({ sql, params: params ?? [] });
          return original(sql, params);
        });
    };
    const spies = [capture(dataSource), capture(dataSource.manager)];
    // The engine's own timers query too: pick the statement by what only the API call asks.
    const explain = async (call: () => Promise<unknown>, marker: RegExp, analyze = false) => {
      captured.length = 0;
      await call();
      const statement = captured.find((c) => marker.test(c.sql));
      expect(statement).toBeDefined();
      const result = await ctx.db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (${analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${statement!.sql}`,
        statement!.params,
      );
      return nodes(result.rows[0]['QUERY PLAN'][0].Plan);
    };
    /** Rows a plan read from a table, over all its loops. */
    const rowsRead = (plan: PlanNode[], table: string) =>
      plan
        .filter((n) => n['Relation Name'] === table)
        .reduce((sum, n) => sum + n['Actual Rows']! * n['Actual Loops']!, 0);
    try {
      const some = (await ctx.db.query(`SELECT id FROM plans WHERE target_id = 'h-4242'`)).rows[0]
        .id as string;
      // A resource's plans come from the key (resource, created_at, plan) of plan_resources, newest
      // first, whether the resource is on few plans or on thousands: no sequential scan.
      const byResource = await explain(
        () => get('/v1/plans?resource=h-4242&limit=50'),
        /plan_resources/,
      );
      const byCommonResource = await explain(
        () => get('/v1/plans?resource=vm-7&limit=50'),
        /plan_resources/,
        true,
      );
      const byStateTime = await explain(
        () =>
          get('/v1/plans?state=failed&from=2026-01-01T01:00:00Z&to=2026-01-01T02:00:00Z&limit=50'),
        /p\.state = /,
      );
      const timeline = await explain(() => get(`/v1/plans/${some}/events`), /FROM plan_events/);
      const actionsOfPage = await explain(
        () => get('/v1/plans?resource=h-4242'),
        /FROM actions a WHERE a\.plan_id/,
      );
      for (const plan of [byResource, byCommonResource, byStateTime, timeline, actionsOfPage]) {
        expect(
          plan.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']),
        ).toEqual([]);
      }
      const indexes = (plan: PlanNode[]) => plan.map((n) => n['Index Name']).filter(Boolean);
      expect(indexes(byResource)).toContain('pk_plan_resources');
      // vm-7 is on 2,000 plans: the page's 51 (50 and one to tell that more exist) are all that is
      // read, where the plans of the resource used to be read, all of them, then sorted.
      expect(
        (await ctx.db.query(`SELECT count(*)::int AS n FROM plans WHERE 'vm-7' = ANY(resources)`))
          .rows[0].n,
      ).toBe(2000);
      expect(indexes(byCommonResource)).toContain('pk_plan_resources');
      expect(rowsRead(byCommonResource, 'plan_resources')).toBe(51);
      expect(rowsRead(byCommonResource, 'plans')).toBe(51);
      // (state, created_at) or the time range on created_at with state filtered: both bounded.
      expect(indexes(byStateTime).some((i) => /^ix_plans_(state_)?created$/.test(String(i)))).toBe(
        true,
      );
      expect(JSON.stringify(byStateTime)).toMatch(/Index Cond[^}]*created_at/);
      expect(indexes(timeline)).toContain('ix_plan_events_plan');
      expect(indexes(actionsOfPage)).toContain('uq_actions_plan_seq');
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  }, 300_000);

  it(`answers ${PLAN_PAGE_SIZE} plans a page when no limit is given, and up to ${MAX_LIMIT} when asked`, async () => {
    for (const query of ['', '?limit=']) {
      const page = await get(`/v1/plans${query}`);
      expect(page.items).toHaveLength(PLAN_PAGE_SIZE);
      expect(page.nextCursor).not.toBeNull();
    }
    expect((await get(`/v1/plans?limit=${MAX_LIMIT}`)).items).toHaveLength(MAX_LIMIT);
    // Other lists keep theirs.
    expect((await get('/v1/actions')).items).toHaveLength(100);
  });

  it('lists whole plans: each item is what GET /v1/plans/:id answers, explanation and actions included', async () => {
    const ids = (
      await ctx.db.query<{ id: string }>(`
        INSERT INTO plans (state, policy, mode, target_kind, target_id, trigger_alarm_id, trigger_source,
                           trigger_rule, trigger_rule_version, trigger_rule_hash, reason, explanation,
                           resources, created_at, started_at, finished_at)
        SELECT (ARRAY['failed', 'succeeded'])[g], 'host-drain', 'auto', 'host', 'h-whole-' || g,
               'a-whole-' || g, 'audit', 'rule-whole', 1, 'hash', 'no room on ' || g,
               jsonb_build_object('checks', jsonb_build_array('group g: healthy 3->2')),
               ARRAY['h-whole', 'vm-whole-' || g], at, at + interval '1 second', at + interval '1 minute'
          FROM generate_series(1, 2) g, LATERAL (SELECT timestamptz '2028-01-01T00:00:00Z' + make_interval(secs => g) AS at) x
        RETURNING id`)
    ).rows.map((r) => r.id);
    await ctx.db.query(
      `INSERT INTO actions (plan_id, seq, type, params, depends_on, state, attempts, progress,
                            started_at, finished_at, error, host_ids, created_at)
       SELECT p.id, s, 'live-migrate',
              jsonb_build_object('instanceId', 'vm-whole-' || s, 'fromHostId', p.target_id, 'toHostId', 'h-x'),
              CASE WHEN s > 1 THEN ARRAY[md5(p.id::text || (s - 1))::uuid] ELSE '{}' END,
              CASE WHEN s = 3 THEN 'failed' ELSE 'succeeded' END, 1, 100,
              p.created_at, p.created_at + make_interval(secs => s),
              CASE WHEN s = 3 THEN 'destination-full' END, ARRAY[p.target_id, 'h-x'], p.created_at
         FROM plans p CROSS JOIN generate_series(1, 3) s WHERE p.id = ANY($1)`,
      [ids],
    );
    for (const query of [
      '',
      'resource=h-whole',
      'resource=h-whole&state=failed',
      'alarm=a-whole-2',
      'rule=rule-whole&from=2028-01-01T00:00:00Z',
    ]) {
      const items = (await get(`/v1/plans?${query}`)).items as Array<{ id: string }>;
      const mine = items.filter((p) => ids.includes(p.id));
      expect({ query, listed: mine.length > 0 }).toEqual({ query, listed: true });
      for (const item of mine) expect(item).toEqual(await get(`/v1/plans/${item.id}`));
    }
    const [plan] = (await get('/v1/plans?alarm=a-whole-1')).items as PlanV1[];
    expect(plan.explanation).toEqual({ checks: ['group g: healthy 3->2'] });
    expect(plan.actions.map((a) => [a.seq, a.state, a.error])).toEqual([
      [1, 'succeeded', null],
      [2, 'succeeded', null],
      [3, 'failed', 'destination-full'],
    ]);
  });

  it('pages by resource through plans created at the same instant, newest first and by id', async () => {
    await ctx.db.query(`
      INSERT INTO plans (state, policy, mode, target_kind, target_id, trigger_alarm_id, trigger_source,
                         trigger_rule, trigger_rule_version, trigger_rule_hash, resources, created_at)
      SELECT (ARRAY['failed', 'succeeded'])[1 + g % 2], 'host-drain', 'auto', 'host', 'h-tied-' || g,
             'a-tied-' || g, 'audit', 'rule-tied', 1, 'hash', ARRAY['h-tied', 'vm-tied-' || g],
             timestamptz '2027-01-01T00:00:00Z' + make_interval(secs => g / 4)
        FROM generate_series(1, 12) g`);
    for (const [query, where] of [
      ['resource=h-tied', `'h-tied' = ANY(resources)`],
      ['resource=h-tied&state=failed', `'h-tied' = ANY(resources) AND state = 'failed'`],
      [
        'resource=h-tied&from=2027-01-01T00:00:01Z&to=2027-01-01T00:00:03Z',
        `'h-tied' = ANY(resources) AND created_at >= '2027-01-01T00:00:01Z' AND created_at < '2027-01-01T00:00:03Z'`,
      ],
    ]) {
      const expected = await ctx.db.query(
        `SELECT id FROM plans WHERE ${where} ORDER BY created_at DESC, id DESC`,
      );
      expect(expected.rows.length).toBeGreaterThan(2);
      const items = await all(query, 1);
      expect(items.map((p) => p.id)).toEqual(expected.rows.map((r) => r.id));
    }
  });
});
