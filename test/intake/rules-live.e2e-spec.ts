import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { sample } from '../support/metrics-text';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

function rule(alarmType: string, message: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'disk-full',
    description: 'test rule',
    enabled: true,
    priority: 10,
    mode: 'auto',
    cooldownSeconds: 0,
    conditions: { all: [{ fact: 'alarm', path: '$.type', operator: 'equal', value: alarmType }] },
    event: { type: 'notify', params: { message, severity: 'warning' } },
    ...extra,
  };
}

describe('rules on a running engine', () => {
  let engine: TestEngine;
  let db: Client;
  let dir: string;
  const file = () => join(dir, 'disk-full.rule.json');
  const decide = async (type: string) =>
    (await http('POST', `${engine.url}/v1/alarms`, alarm(type, 'host', 'cmp-01'))).body.items[0];
  const dryRun = async (type: string) =>
    (
      await http('POST', `${engine.url}/v1/rules/evaluate`, {
        alarm: alarm(type, 'host', 'cmp-01'),
      })
    ).body;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reflex-rules-'));
    writeFileSync(file(), JSON.stringify(rule('disk.full', 'first')));
    writeFileSync(
      join(dir, 'fan-noise.rule.json'),
      JSON.stringify({ ...rule('fan.noise', 'check the fans'), name: 'fan-noise', mode: 'manual' }),
    );
    engine = await startTestEngine({ RULES_DIR: dir, RULES_WATCH: 'true' });
    db = new Client({ connectionString: engine.database.url });
    await db.connect();
    await http('PUT', `${engine.url}/v1/inventory`, smallCloud());
  });
  afterAll(async () => {
    await db.end();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the live rules with version and hash, and stores every version', async () => {
    const rules = (await http('GET', `${engine.url}/v1/rules`)).body.items.filter(
      (r: { name: string }) => r.name === 'disk-full',
    );
    expect(rules).toEqual([
      expect.objectContaining({
        name: 'disk-full',
        version: 1,
        enabled: true,
        file: 'disk-full.rule.json',
      }),
    ]);
    const stored = await db.query(
      `SELECT name, version, hash FROM rule_versions WHERE name = 'disk-full'`,
    );
    expect(stored.rows).toEqual([{ name: 'disk-full', version: 1, hash: rules[0].hash }]);
  });

  it('takes an edit on disk without a restart, and refuses a broken edit while the old version decides', async () => {
    expect(await decide('disk.full')).toMatchObject({ disposition: 'triggered' });

    writeFileSync(file(), JSON.stringify(rule('disk.nearly-full', 'second')));
    await waitFor(
      'the edited rule to be live',
      async () => (await dryRun('disk.nearly-full')).decision !== null,
    );
    expect(await decide('disk.full')).toMatchObject({ disposition: 'no-rule' });
    const second = await decide('disk.nearly-full');
    expect(second.disposition).toBe('triggered');
    const plan = await db.query(
      `SELECT trigger_rule, trigger_rule_version FROM plans WHERE id = $1`,
      [second.planId],
    );
    expect(plan.rows[0]).toEqual({ trigger_rule: 'disk-full', trigger_rule_version: 2 });

    writeFileSync(
      file(),
      JSON.stringify({
        ...rule('disk.nearly-full', 'third'),
        conditions: { all: [{ fact: 'alarm', operator: 'regex', value: 'x' }] },
      }),
    );
    const report = (await http('POST', `${engine.url}/v1/rules/reload`)).body;
    const refused = report.results.find((r: { file: string }) => r.file === 'disk-full.rule.json');
    expect(refused).toMatchObject({
      status: 'refused',
      keptLive: { name: 'disk-full', version: 2 },
    });
    expect(JSON.stringify(refused.errors)).toMatch(/regex/);
    expect(await decide('disk.nearly-full')).toMatchObject({ disposition: 'triggered' });
    const live = (await http('GET', `${engine.url}/v1/rules`)).body.items.find(
      (r: { name: string }) => r.name === 'disk-full',
    );
    expect(live.version).toBe(2);

    // The refusal stays visible after the reload's answer: in the list, and as a gauge.
    writeFileSync(
      join(dir, 'typo.rule.json'),
      JSON.stringify({
        ...rule('disk.full', 'typo'),
        name: 'typo',
        conditions: {
          all: [{ fact: 'alarm', path: '$.severty', operator: 'equal', value: 'critical' }],
        },
      }),
    );
    await http('POST', `${engine.url}/v1/rules/reload`);
    const listed = (await http('GET', `${engine.url}/v1/rules`)).body;
    expect(listed.items.map((r: { name: string }) => r.name)).not.toContain('typo');
    expect(Date.parse(listed.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(listed.refused).toEqual([
      {
        file: 'disk-full.rule.json',
        name: 'disk-full',
        errors: [expect.objectContaining({ path: '$.conditions.all[0].operator' })],
        keptLive: { name: 'disk-full', version: 2, hash: live.hash },
      },
      {
        file: 'typo.rule.json',
        name: 'typo',
        errors: [
          {
            path: '$.conditions.all[0].path',
            pointer: '/conditions/all/0/path',
            message: expect.stringMatching(/no "severty" .*did you mean "severity"\?$/),
          },
        ],
        keptLive: null,
      },
    ]);
    const metrics = (await http<string>('GET', `${engine.url}/metrics`)).body;
    expect(sample(metrics, 'reflex_rule_files_refused')).toBe(2);
    rmSync(join(dir, 'typo.rule.json'));
  });

  it('validates a rule document over HTTP with JSON paths', async () => {
    const bad = { ...rule('x', 'y'), priority: 'high', event: { type: 'reboot-everything' } };
    const res = await http('POST', `${engine.url}/v1/rules/validate`, bad);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['$.priority', '$.event.type']));
    expect(
      (await http('POST', `${engine.url}/v1/rules/validate`, rule('x', 'y'))).body,
    ).toMatchObject({ valid: true, name: 'disk-full' });
  });

  it('dry-runs an alarm against a given inventory: rules, conditions with fact values, plan; stores nothing', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM alarms`);
    const res = await http('POST', `${engine.url}/v1/rules/evaluate`, {
      alarm: alarm('disk.nearly-full', 'host', 'cmp-02'),
      inventory: smallCloud(),
    });
    expect(res.status).toBe(200);
    expect(res.body.decision).toMatchObject({ policy: 'notify', rule: { name: 'disk-full' } });
    expect(res.body.fired[0].conditions[0]).toMatchObject({
      fact: 'alarm',
      factValue: 'disk.nearly-full',
      result: true,
    });
    expect(res.body.plan.actions.map((a: { type: string }) => a.type)).toEqual(['notify']);
    expect((await db.query(`SELECT count(*)::int AS n FROM alarms`)).rows[0].n).toBe(
      before.rows[0].n,
    );
    const bad = await http('POST', `${engine.url}/v1/rules/evaluate`, { alarm: { type: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('/alarm/id');
  });

  it('cancels a plan that has not started when its alarm resolves, saying why', async () => {
    const firing = alarm('fan.noise', 'host', 'cmp-02');
    const made = (await http('POST', `${engine.url}/v1/alarms`, firing)).body.items[0];
    expect(made.disposition).toBe('triggered');
    const before = (await http('GET', `${engine.url}/v1/plans/${made.planId}`)).body;
    expect(before.state).toBe('pending_approval');

    const resolved = { ...firing, state: 'resolved', occurredAt: new Date().toISOString() };
    const closed = (await http('POST', `${engine.url}/v1/alarms`, resolved)).body.items[0];
    expect(closed).toMatchObject({ disposition: 'resolved', planId: made.planId });
    expect(closed.reason).toMatch(/cancelled/);
    const after = (await http('GET', `${engine.url}/v1/plans/${made.planId}`)).body;
    expect(after.state).toBe('cancelled');
    const events = (await http('GET', `${engine.url}/v1/plans/${made.planId}/events`)).body;
    expect(JSON.stringify(events)).toMatch(/resolved before the plan started/);
  });
});
