import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import type { PlanV1 } from '@reflex/contracts/plan.v1';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { waitFor } from '../support/wait-for';
import { DriverStandIn, hangMigrations, success } from '../plans/support/driver-stand-in';
import { reflex, startReflex } from './run-reflex';

const VIEWER = 'viewer-token-0123456789';
const OPERATOR = 'operator-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const SHIPPED_RULES = join(__dirname, '..', '..', 'rules');

const host = (id: string, zone: string) => ({
  id,
  zone,
  status: 'up' as const,
  hypervisor: 'kvm',
  driver: 'simulator' as const,
  capacity: { vcpus: 16, memoryMb: 32768 },
  labels: {},
});
const vm = (id: string, hostId: string, over: Record<string, unknown> = {}) => ({
  id,
  hostId,
  kind: 'vm' as const,
  state: 'running' as const,
  resources: { vcpus: 4, memoryMb: 8192 },
  groupId: null,
  role: null,
  ...over,
});

const CLOUD: InventoryV1 = {
  hosts: [host('cmp-1', 'az1'), host('cmp-2', 'az1'), host('cmp-3', 'az2')],
  instances: [
    vm('db-1', 'cmp-1', { groupId: 'db', role: 'active' }),
    vm('db-2', 'cmp-2', { groupId: 'db', role: 'standby' }),
    vm('app-1', 'cmp-1'),
  ],
  groups: [{ id: 'db', active: 1, standby: 1, antiAffinity: 'host' }],
};

/** The rule an operator writes on their first day: degraded hardware, moved off once approved. */
const RULE = {
  name: 'degraded-manual',
  description: 'Degraded hardware: move everything off, once an operator approves.',
  enabled: true,
  priority: 70,
  mode: 'manual',
  cooldownSeconds: 600,
  conditions: {
    all: [
      { fact: 'alarm', path: '$.type', operator: 'equal', value: 'host.hardware.degraded' },
      { fact: 'alarm', path: '$.state', operator: 'equal', value: 'firing' },
      { fact: 'host', path: '$.status', operator: 'in', value: ['up', 'disabled'] },
    ],
  },
  event: { type: 'migrate-off', params: { onFailure: 'continue' } },
};

const alarm = (id: string, hostId: string): AlarmV1 => ({
  id,
  source: 'smartd',
  type: 'host.hardware.degraded',
  severity: 'major',
  state: 'firing',
  resource: { kind: 'host', id: hostId },
  occurredAt: new Date().toISOString(),
});

/** A port nothing listens on: one the system handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the reflex command line against a running engine', () => {
  let engine: TestEngine;
  let driver: DriverStandIn;
  let rulesDir: string;
  let work: string;
  let env: { REFLEX_URL: string; REFLEX_TOKEN?: string };
  let operator: typeof env;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const file = async (name: string, content: unknown) => {
    await writeFile(join(work, name), JSON.stringify(content, null, 2));
    return join(work, name);
  };
  let planId: string;

  beforeAll(async () => {
    rulesDir = await mkdtemp(join(tmpdir(), 'reflex-cli-rules-'));
    work = await mkdtemp(join(tmpdir(), 'reflex-cli-work-'));
    for (const name of await readdir(SHIPPED_RULES)) {
      if (name.endsWith('.rule.json'))
        await copyFile(join(SHIPPED_RULES, name), join(rulesDir, name));
    }
    engine = await startTestEngine({
      RULES_DIR: rulesDir,
      RULES_WATCH: 'false',
      AUTH_TOKENS: `watcher:viewer:${VIEWER},ops:operator:${OPERATOR},root:admin:${ADMIN}`,
    });
    driver = await DriverStandIn.start(engine.config.topicPrefix);
    env = { REFLEX_URL: engine.url, REFLEX_TOKEN: VIEWER };
    operator = { ...env, REFLEX_TOKEN: OPERATOR };
    const seeded = await http('PUT', `${engine.url}/v1/inventory`, CLOUD, as(ADMIN));
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await driver?.stop();
    await engine?.close();
    await rm(rulesDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('explains itself: --help on the whole and on each command, usage errors exit 2', async () => {
    const overview = await reflex(['--help'], env);
    expect(overview.code).toBe(0);
    for (const command of [
      'status',
      'plans',
      'plan watch <id>',
      'approve <id>',
      'abort <actionId>',
    ]) {
      expect(overview.stdout).toContain(command);
    }
    expect(overview.stdout).toContain('REFLEX_TOKEN');
    expect(overview.stdout).toMatch(/4 token refused or role too small \(401, 403\)/);

    const watchHelp = await reflex(['plan', 'watch', '--help'], env);
    expect(watchHelp.code).toBe(0);
    expect(watchHelp.stdout).toContain('usage: reflex plan watch <id> [--json]');
    expect(watchHelp.stdout).toContain('unique prefix');
    const rulesHelp = await reflex(['rules', '--help'], env);
    expect(rulesHelp.stdout).toContain('reflex rules dry-run <alarm.json>');

    const unknown = await reflex(['plans', '--colour'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const missing = await reflex(['approve'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage: reflex approve <id>');
  });

  it('says why it cannot work: wrong or missing token (401), engine not there', async () => {
    const wrong = await reflex(['status'], { ...env, REFLEX_TOKEN: 'not-a-token-of-this-engine' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('the engine refused REFLEX_TOKEN (401');
    expect(wrong.stdout).toBe('');
    const none = await reflex(['plans'], { REFLEX_URL: engine.url });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('set REFLEX_TOKEN');
    const nobody = `http://127.0.0.1:${await closedPort()}`;
    const away = await reflex(['status'], { REFLEX_URL: nobody, REFLEX_TOKEN: VIEWER });
    expect(away.code).toBe(3);
    expect(away.stderr).toContain(`cannot reach Reflex at ${nobody}: connection refused`);
    expect(away.stderr).not.toMatch(/\n\s+at /);
  });

  it('status shows hosts with load by zone, groups with redundancy and live plans', async () => {
    const status = await reflex(['status'], env);
    expect(status.code).toBe(0);
    const out = status.stdout;
    expect(out).toContain('HOSTS  3 (3 up)');
    expect(out).toMatch(
      /zone az1\n\s+cmp-1\s+up\s+load █████░░░░░ {2}50%\s+vcpus 8\/16\s+memory 16\.0\/32\.0 GiB\s+2 instances/,
    );
    expect(out).toMatch(/zone az2\n\s+cmp-3\s+up\s+load ░{10}\s+0%/);
    expect(out).toContain('GROUPS  1 (0 without redundancy)');
    expect(out).toMatch(/db\s+redundant\s+healthy 1\/1 active, 1\/1 standby; anti-affinity host/);
    expect(out).toContain('db-1 (active on cmp-1, running), db-2 (standby on cmp-2, running)');
    expect(out).toContain('LIVE PLANS  0');

    const json = JSON.parse((await reflex(['status', '--json'], env)).stdout);
    expect(json.inventory.hosts.map((h: { id: string }) => h.id).sort()).toEqual([
      'cmp-1',
      'cmp-2',
      'cmp-3',
    ]);
    expect(json.groups).toEqual([
      { group: CLOUD.groups[0], status: expect.objectContaining({ redundant: true }) },
    ]);
  });

  it('hosts and groups print one table each, from GET /v1/hosts and GET /v1/groups', async () => {
    const hosts = await reflex(['hosts'], env);
    expect(hosts.code).toBe(0);
    const hostLines = hosts.stdout.trimEnd().split('\n');
    expect(hostLines[0]).toMatch(
      /^HOST\s+ZONE\s+RACK\s+STATUS\s+LOAD\s+VCPU USED\s+VCPU FREE\s+MEM GiB USED\s+MEM GiB FREE\s+INSTANCES$/,
    );
    expect(hostLines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['cmp-1', 'az1', '-', 'up', '█████░░░░░', '50%', '8/16', '8', '16.0/32.0', '16.0', '2'],
      ['cmp-2', 'az1', '-', 'up', '███░░░░░░░', '25%', '4/16', '12', '8.0/32.0', '24.0', '1'],
      ['cmp-3', 'az2', '-', 'up', '░░░░░░░░░░', '0%', '0/16', '16', '0.0/32.0', '32.0', '0'],
    ]);
    // Columns line up: every row's LOAD starts where the header's does.
    const loadAt = hostLines[0].indexOf('LOAD');
    for (const line of hostLines.slice(1)) expect(line.slice(loadAt)).toMatch(/^[█░]/);

    const groups = await reflex(['groups'], env);
    expect(groups.code).toBe(0);
    expect(
      groups.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/\s{2,}/)),
    ).toEqual([
      [
        'GROUP',
        'REDUNDANCY',
        'HEALTHY',
        'ANTI-AFFINITY',
        'INSTANCE',
        'ROLE',
        'HOST',
        'STATE',
        'HEALTH',
      ],
      [
        'db',
        'redundant',
        '1/1 + 1/1',
        'host',
        'db-1',
        'active',
        'cmp-1 (up)',
        'running',
        'healthy',
      ],
      ['', 'db-2', 'standby', 'cmp-2 (up)', 'running', 'healthy'],
    ]);

    const json = JSON.parse((await reflex(['hosts', '--json'], env)).stdout);
    expect(json[0]).toMatchObject({
      id: 'cmp-1',
      load: {
        used: { vcpus: 8, memoryMb: 16384 },
        free: { vcpus: 8 },
        instanceCount: 2,
        percent: 50,
      },
    });
    const groupsJson = JSON.parse((await reflex(['groups', '--json'], env)).stdout);
    expect(groupsJson[0].members.map((m: { instance: string }) => m.instance)).toEqual([
      'db-1',
      'db-2',
    ]);
    expect((await reflex(['hosts', '--help'], env)).stdout).toContain('LOAD is the larger');
  });

  it('validates and dry-runs a rule that is not loaded yet', async () => {
    const bad = await file('bad.rule.json', {
      ...RULE,
      conditions: { all: [{ ...RULE.conditions.all[0], operator: 'equals' }] },
    });
    const invalid = await reflex(['rules', 'validate', bad], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`INVALID  ${bad}`);
    expect(invalid.stdout).toContain('$.conditions.all[0].operator: unknown operator "equals"');
    expect(invalid.stdout).toContain('did you mean "equal"?');

    const good = await file('degraded-manual.rule.json', RULE);
    const valid = await reflex(['rules', 'validate', good], env);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(
      /^valid {4}.*degraded-manual\.rule\.json {2}\(degraded-manual, sha256 [0-9a-f]{12}\)$/m,
    );

    const alarmFile = await file('alarm.json', alarm('smartd-1', 'cmp-1'));
    const dry = await reflex(['rules', 'dry-run', alarmFile, '--rule', good], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('alarm smartd/smartd-1: host.hardware.degraded on host cmp-1');
    expect(dry.stdout).toContain('rule degraded-manual v1 (priority 70): FIRED');
    expect(dry.stdout).toMatch(
      /✓ \$\.conditions\.all\[2\]: host \$\.status in \["up","disabled"\] → fact value "up"/,
    );
    expect(dry.stdout).toContain(
      'decision: migrate-off on host cmp-1 (mode manual, onFailure continue',
    );
    expect(dry.stdout).toMatch(/plan that would be made: pending_approval, \d+ actions/);
    expect(dry.stdout).toMatch(/#\d+ live-migrate db-1 cmp-1 → cmp-\d/);

    // A candidate the engine refuses: 400 naming where in the request, so exit 2.
    const refused = await reflex(['rules', 'dry-run', alarmFile, '--rule', bad], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('/rule/conditions/all/0/operator: unknown operator "equals"');

    // Without --rule: the loaded (shipped) rules decide, and the candidate is not among them.
    const live = await reflex(['rules', 'dry-run', alarmFile], env);
    expect(live.stdout).toContain(
      'rule host-hardware-degraded-migrate-off v1 (priority 60): FIRED',
    );
    expect(live.stdout).not.toContain('degraded-manual');

    const otherHost = await file('inventory.json', {
      ...CLOUD,
      hosts: CLOUD.hosts.map((h) => ({ ...h, status: 'down' })),
    });
    const test = await reflex(['rules', 'test', good, alarmFile, otherHost], env);
    expect(test.code).toBe(1);
    expect(test.stdout).toContain('rule degraded-manual v1 (priority 70): NOT FIRED');
    expect(test.stdout).toContain('→ fact value "down"');

    const json = JSON.parse(
      (await reflex(['rules', 'test', good, alarmFile, '--json'], env)).stdout,
    );
    expect(json.fired[0].rule.name).toBe('degraded-manual');
    expect(json.plan.state).toBe('pending_approval');
  });

  it('loads the rule, and follows its alarm to a plan: alarms, plans, plan <prefix>', async () => {
    await copyFile(
      join(work, 'degraded-manual.rule.json'),
      join(rulesDir, 'degraded-manual.rule.json'),
    );
    expect((await http('POST', `${engine.url}/v1/rules/reload`, {}, as(ADMIN))).status).toBe(200);
    const listed = await reflex(['rules', 'list'], env);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trimEnd().split('\n');
    expect(rows[0].split(/\s{2,}/)).toEqual([
      'RULE',
      'VERSION',
      'STATE',
      'PRIORITY',
      'MODE',
      'POLICY',
      'FILE',
    ]);
    expect(rows.map((r) => r.split(/\s{2,}/))).toContainEqual([
      'degraded-manual',
      'v1',
      'enabled',
      '70',
      'manual',
      'migrate-off',
      'degraded-manual.rule.json',
    ]);
    // A file the engine refuses is listed with its errors, and the command says so (exit 1).
    await writeFile(
      join(rulesDir, 'typo.rule.json'),
      JSON.stringify({
        ...RULE,
        name: 'typo',
        conditions: { all: [{ ...RULE.conditions.all[0], path: '$.typ' }] },
      }),
    );
    await http('POST', `${engine.url}/v1/rules/reload`, {}, as(ADMIN));
    const withRefusal = await reflex(['rules', 'list'], env);
    expect(withRefusal.code).toBe(1);
    expect(withRefusal.stdout).toContain(
      'REFUSED  typo.rule.json (no version is live)\n  $.conditions.all[0].path: path "$.typ": the alarm fact has no "typ" at $',
    );
    expect(withRefusal.stdout).toContain('did you mean "type"?');
    await rm(join(rulesDir, 'typo.rule.json'));
    await http('POST', `${engine.url}/v1/rules/reload`, {}, as(ADMIN));

    const sent = await http<{ items: Array<{ planId: string }> }>(
      'POST',
      `${engine.url}/v1/alarms`,
      alarm('smartd-2', 'cmp-1'),
      as(OPERATOR),
    );
    expect(sent.status).toBe(202);
    planId = sent.body.items[0].planId;
    const short = planId.slice(0, 8);

    const alarms = await reflex(['alarms'], env);
    expect(alarms.code).toBe(0);
    expect(alarms.stdout).toMatch(
      new RegExp(
        `triggered\\s+host\\.hardware\\.degraded\\s+host cmp-1\\s+smartd/smartd-2 → plan ${short}`,
      ),
    );
    expect(alarms.stdout).toContain('degraded-manual');

    const plans = await reflex(['plans', '--state', 'pending_approval'], env);
    expect(plans.stdout).toMatch(
      new RegExp(
        `^${short}  pending_approval\\s+migrate-off\\s+host cmp-1\\s+rule degraded-manual\\s+0/\\d+ done`,
      ),
    );
    expect((await reflex(['plans', '--state', 'running'], env)).stdout).toBe('no plans\n');
    const badFilter = await reflex(['plans', '--state', 'sleeping'], env);
    expect(badFilter.code).toBe(2);
    expect(badFilter.stderr).toContain('state must be one of');

    const plan = await reflex(['plan', short], env);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`plan ${planId}  pending_approval`);
    expect(plan.stdout).toContain('migrate-off of host cmp-1, mode manual, on failure continue');
    expect(plan.stdout).toContain('rule degraded-manual v1, alarm smartd-2 from smartd');
    expect(plan.stdout).toMatch(/#\d+\s+pending\s+live-migrate db-1 cmp-1 → cmp-\d/);
    expect(plan.stdout).toMatch(
      new RegExp(
        `${short} plan migrate-off of host cmp-1 \\(rule degraded-manual, \\d+ actions\\): pending_approval`,
      ),
    );
    const json = JSON.parse((await reflex(['plan', short, '--json'], env)).stdout) as PlanV1;
    expect(json.id).toBe(planId);

    const unknown = await reflex(['plan', 'ffffffff'], env);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('plan ffffffff not found (404)');
    const short7 = await reflex(['plan', short.slice(0, 7)], env);
    expect(short7.code).toBe(2);
    expect(short7.stderr).toContain('id: is a plan id prefix shorter than 8 characters');

    const status = await reflex(['status'], env);
    expect(status.stdout).toContain('LIVE PLANS  1');
    expect(status.stdout).toContain(`${short}  pending_approval`);
  });

  it('approves (operator only) and watches the plan live until it ends', async () => {
    const short = planId.slice(0, 8);
    const viewer = await reflex(['approve', short], env);
    expect(viewer.code).toBe(4);
    expect(viewer.stderr).toContain("REFLEX_TOKEN's role may not do this (403");

    driver.use(hangMigrations);
    const approved = await reflex(
      ['approve', short, '--reason', 'spare capacity is fine'],
      operator,
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(
      `approved plan ${short} (migrate-off of host cmp-1): now running`,
    );
    const timeline = await http<{ items: Array<{ to: string; detail: Record<string, unknown> }> }>(
      'GET',
      `${engine.url}/v1/plans/${planId}/events`,
      undefined,
      as(VIEWER),
    );
    expect(timeline.body.items.find((e) => e.to === 'pending')?.detail).toMatchObject({
      approvedBy: 'ops',
    });

    const watch = startReflex(['plan', 'watch', short], env);
    const migrations = await waitFor('both migrations to hang', () => {
      const running = driver.executes(planId).filter((c) => c.type === 'live-migrate');
      return running.length === 2 && running;
    });
    await waitFor('the watch to show a migration running', () =>
      /#\d+ live-migrate db-1 cmp-1 → cmp-\d: running/.test(watch.stdout),
    );
    expect(watch.child.exitCode).toBeNull();
    for (const m of migrations) await driver.release(m.actionId, success(1));
    const ended = await watch.done;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/live-migrate app-1 cmp-1 → cmp-\d: succeeded/);
    expect(ended.stdout).toMatch(new RegExp(`${short} plan running → succeeded`));
    expect(ended.stdout).toContain(`plan ${short} ended succeeded; its actions:`);

    const json = await reflex(['plan', 'watch', short, '--json'], env);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ planId, type: 'plan.state', to: 'pending_approval' });
    expect(lines[lines.length - 1]).toMatchObject({ id: planId, state: 'succeeded' });

    const action = (lines[lines.length - 1] as PlanV1).actions[0].id;
    const late = await reflex(['abort', action], operator);
    expect(late.code).toBe(6);
    expect(late.stderr).toContain('(409)');
  });

  it('cancels a plan, and refuses to cancel it twice', async () => {
    // A host of its own: the first plan left cmp-1 disabled and the db pair with nowhere else to go.
    for (const [kind, object] of [
      ['hosts', host('cmp-4', 'az2')],
      ['instances', vm('batch-1', 'cmp-4')],
    ] as const) {
      const put = await http('PUT', `${engine.url}/v1/${kind}/${object.id}`, object, as(ADMIN));
      expect(put.status).toBe(200);
    }
    const sent = await http<{ items: Array<{ planId: string }> }>(
      'POST',
      `${engine.url}/v1/alarms`,
      alarm('smartd-3', 'cmp-4'),
      as(OPERATOR),
    );
    const short = sent.body.items[0].planId.slice(0, 8);
    const cancelled = await reflex(['cancel', short, '--reason', 'not today'], operator);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toContain(
      `cancelled plan ${short} (migrate-off of host cmp-4): now cancelled`,
    );
    expect(cancelled.stdout).toMatch(/#\d+\s+skipped\s+live-migrate batch-1 cmp-4 → cmp-\d/);
    const again = await reflex(['cancel', short], operator);
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/is cancelled.*\(409\)/);

    const listed = JSON.parse((await reflex(['plans', '--json'], env)).stdout);
    expect(listed.items.map((p: PlanV1) => p.state)).toEqual(['cancelled', 'succeeded']);
  });
});
