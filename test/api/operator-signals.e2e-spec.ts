// Issue 20, "silence": the info lines and gauges an operator watches, on a real engine, broker and
// database: plan created / approved / cancelled / finished in the log with ids, who and why; rule
// loads and refusals; plans awaiting approval, hosts by status, groups without redundancy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { succeed } from '../support/driver-stand-in';
import { captureStdout } from '../support/captured-stdout';
import { http } from '../support/http';
import { sample } from '../support/metrics-text';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';
import { engineWithDriver } from '../support/engine-with-driver';

const MANUAL_MIGRATE_OFF = {
  name: 'degraded-manual',
  priority: 10,
  mode: 'manual',
  cooldownSeconds: 0,
  conditions: {
    all: [{ fact: 'alarm', path: '$.type', operator: 'equal', value: 'host.hardware.degraded' }],
  },
  event: { type: 'migrate-off', params: { onFailure: 'stop' } },
};

type Line = Record<string, unknown>;

describe('what an operator sees in the log and /metrics', () => {
  // Known before the engine starts: it is the engine's RULES_DIR.
  const dir = mkdtempSync(join(tmpdir(), 'reflex-signals-'));
  let written: string[] = [];
  let restore: () => void;
  // Before engineWithDriver's beforeAll (hooks run in the order declared): the engine's start-up
  // lines are captured, and the rule files are there when it loads them.
  beforeAll(() => {
    ({ written, restore } = captureStdout());
    writeFileSync(join(dir, 'degraded-manual.rule.json'), JSON.stringify(MANUAL_MIGRATE_OFF));
    writeFileSync(join(dir, 'broken.rule.json'), '{ "name": "broken" ');
  });
  const ctx = engineWithDriver({ RULES_DIR: dir, RULES_WATCH: 'false', LOG_LEVEL: 'info' });
  const lines = (): Line[] =>
    written
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.service === 'engine');
  const metrics = async () => (await http<string>('GET', `${ctx.engine.url}/metrics`)).body;
  const degraded = async (hostId: string) =>
    (
      await http(
        'POST',
        `${ctx.engine.url}/v1/alarms`,
        alarm('host.hardware.degraded', 'host', hostId),
      )
    ).body.items[0];

  beforeAll(async () => {
    ctx.driver.use(succeed(1));
    const cloud = smallCloud();
    // db-2's host is down: group db is short of an active.
    cloud.hosts[1] = { ...cloud.hosts[1], status: 'down' };
    cloud.hosts.push({ ...cloud.hosts[0], id: 'cmp-05' });
    expect((await http('PUT', `${ctx.engine.url}/v1/inventory`, cloud)).status).toBe(200);
  });
  // After engineWithDriver's afterAll: its shutdown lines are captured too.
  afterAll(() => {
    restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs rule loads at info and refusals at warn, and counts refused files', async () => {
    expect(lines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'info',
          context: 'rules',
          msg: 'rule degraded-manual loaded v1',
        }),
        expect.objectContaining({
          level: 'warn',
          context: 'rules',
          msg: expect.stringMatching(/^rule file broken\.rule\.json refused: \$ not valid JSON/),
        }),
      ]),
    );
    const text = await metrics();
    expect(sample(text, 'reflex_rule_files_refused')).toBe(1);
    expect(sample(text, 'reflex_hosts', { status: 'up' })).toBe(4);
    expect(sample(text, 'reflex_hosts', { status: 'down' })).toBe(1);
    expect(sample(text, 'reflex_hosts', { status: 'maintenance' })).toBe(0);
    expect(sample(text, 'reflex_groups_not_redundant')).toBe(1);
  });

  it('logs a plan from creation through approval to its end, and one cancelled, with who and why', async () => {
    const made = await degraded('cmp-04');
    expect(made).toMatchObject({ disposition: 'triggered', planState: 'pending_approval' });
    const other = await degraded('cmp-05');
    expect(other).toMatchObject({ planState: 'pending_approval' });
    let text = await metrics();
    expect(sample(text, 'reflex_plans_open', { state: 'pending_approval' })).toBe(2);
    expect(sample(text, 'reflex_plans_open', { state: 'running' })).toBe(0);

    const approve = await http('POST', `${ctx.engine.url}/v1/plans/${made.planId}/approve`, {
      reason: 'vendor confirmed the DIMM',
    });
    expect(approve.status).toBe(200);
    await waitFor(
      'the approved plan to succeed',
      async () =>
        (await http('GET', `${ctx.engine.url}/v1/plans/${made.planId}`)).body.state === 'succeeded',
    );
    expect(
      (
        await http('POST', `${ctx.engine.url}/v1/plans/${other.planId}/cancel`, {
          reason: 'false alarm',
        })
      ).status,
    ).toBe(200);

    const about = (planId: string) =>
      lines().filter((l) => l.planId === planId && l.context === 'plans');
    await waitFor('the finished line', async () =>
      about(made.planId).some((l) => String(l.msg).startsWith('plan finished')),
    );
    expect(about(made.planId)).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'plans',
        msg: 'plan created: migrate-off of host cmp-04 (pending_approval)',
        policy: 'migrate-off',
        target: 'host:cmp-04',
        rule: 'degraded-manual',
        ruleVersion: 1,
        mode: 'manual',
        state: 'pending_approval',
      }),
      expect.objectContaining({
        msg: 'plan approved by anonymous',
        by: 'anonymous',
        operatorReason: 'vendor confirmed the DIMM',
        from: 'pending_approval',
        to: 'running',
      }),
      ...Array.from({ length: about(made.planId).length - 3 }, () =>
        expect.objectContaining({ msg: expect.stringMatching(/^plan (running|pending)$/) }),
      ),
      expect.objectContaining({
        msg: 'plan finished: succeeded',
        from: 'running',
        to: 'succeeded',
        reason: expect.stringContaining('approved by anonymous: vendor confirmed the DIMM'),
      }),
    ]);
    expect(about(other.planId)).toEqual([
      expect.objectContaining({
        msg: 'plan created: migrate-off of host cmp-05 (pending_approval)',
      }),
      expect.objectContaining({
        msg: 'plan cancelled by anonymous',
        by: 'anonymous',
        operatorReason: 'false alarm',
        to: 'cancelled',
      }),
    ]);

    // The decision that made it, with its reason.
    expect(lines()).toContainEqual(
      expect.objectContaining({
        context: 'intake',
        msg: 'alarm triggered',
        planId: made.planId,
        reason: expect.stringMatching(/^degraded-manual v1 decided migrate-off/),
      }),
    );

    text = await metrics();
    expect(sample(text, 'reflex_plans_open', { state: 'pending_approval' })).toBe(0);
    // The migrate-off disabled cmp-04 before it moved its (no) instances off.
    expect(sample(text, 'reflex_hosts', { status: 'disabled' })).toBe(1);
  });

  it('reports the approval wait apart from recovery in /v1/stats, per policy and per rule', async () => {
    const stats = (await http('GET', `${ctx.engine.url}/v1/stats`)).body;
    expect(stats.window).toBe('the 24 h before now (default; set ?from= and ?to= to change it)');
    expect(Date.parse(stats.to) - Date.parse(stats.from)).toBe(24 * 3600 * 1000);
    const [policy] = stats.items;
    expect(policy).toMatchObject({ policy: 'migrate-off', plans: 2, succeeded: 1, cancelled: 1 });
    // One rule made them all: its line has the same figures.
    const { policy: _name, ...outcomes } = policy;
    expect(stats.rules).toEqual([{ rule: 'degraded-manual', ...outcomes }]);
    // One succeeded plan: its one time is the mean, the median and the max.
    const total = policy.maxSecondsToSuccess as number;
    expect(policy.meanSecondsToSuccess).toBeCloseTo(total, 6);
    expect(policy.medianSecondsToSuccess).toBeCloseTo(total, 6);
    const wait = policy.approvalWaitSeconds;
    expect(wait).toMatchObject({ count: 1 });
    expect(wait.max).toBeGreaterThan(0);
    expect(policy.recoverySeconds).toMatchObject({ count: 1 });
    expect(policy.recoverySeconds.max).toBeCloseTo(total - wait.max, 3);
    expect(policy.recoverySeconds.max).toBeLessThan(total);

    const later = (
      await http(
        'GET',
        `${ctx.engine.url}/v1/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`,
      )
    ).body;
    expect(later).toMatchObject({
      items: [],
      rules: [],
      window: 'from 2020-01-01T00:00:00.000Z to 2020-01-02T00:00:00.000Z',
    });
  });
});
