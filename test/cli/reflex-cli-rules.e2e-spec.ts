// The reflex rules commands: validate, dry-run and test a rule that is not loaded yet, then list the
// loaded rules, and a file the engine refuses with its errors.
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { http } from '../support/http';
import { ADMIN, CLOUD, RULE, alarm, as, cliFixture } from './support/cli-fixture';
import { reflex } from './run-reflex';

describe('reflex rules against a running engine', () => {
  const cli = cliFixture();

  it('validates and dry-runs a rule that is not loaded yet', async () => {
    const bad = await cli.file('bad.rule.json', {
      ...RULE,
      conditions: { all: [{ ...RULE.conditions.all[0], operator: 'equals' }] },
    });
    const invalid = await reflex(['rules', 'validate', bad], cli.env);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain(`INVALID  ${bad}`);
    expect(invalid.stdout).toContain('$.conditions.all[0].operator: unknown operator "equals"');
    expect(invalid.stdout).toContain('did you mean "equal"?');

    const good = await cli.file('degraded-manual.rule.json', RULE);
    const valid = await reflex(['rules', 'validate', good], cli.env);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(
      /^valid {4}.*degraded-manual\.rule\.json {2}\(degraded-manual, sha256 [0-9a-f]{12}\)$/m,
    );

    const alarmFile = await cli.file('alarm.json', alarm('smartd-1', 'cmp-1'));
    const dry = await reflex(['rules', 'dry-run', alarmFile, '--rule', good], cli.env);
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
    const refused = await reflex(['rules', 'dry-run', alarmFile, '--rule', bad], cli.env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('/rule/conditions/all/0/operator: unknown operator "equals"');

    // Without --rule: the loaded (shipped) rules decide, and the candidate is not among them.
    const live = await reflex(['rules', 'dry-run', alarmFile], cli.env);
    expect(live.stdout).toContain(
      'rule host-hardware-degraded-migrate-off v1 (priority 60): FIRED',
    );
    expect(live.stdout).not.toContain('degraded-manual');

    const otherHost = await cli.file('inventory.json', {
      ...CLOUD,
      hosts: CLOUD.hosts.map((h) => ({ ...h, status: 'down' })),
    });
    const test = await reflex(['rules', 'test', good, alarmFile, otherHost], cli.env);
    expect(test.code).toBe(1);
    expect(test.stdout).toContain('rule degraded-manual v1 (priority 70): NOT FIRED');
    expect(test.stdout).toContain('→ fact value "down"');

    const json = JSON.parse(
      (await reflex(['rules', 'test', good, alarmFile, '--json'], cli.env)).stdout,
    );
    expect(json.fired[0].rule.name).toBe('degraded-manual');
    expect(json.plan.state).toBe('pending_approval');
  });

  it('loads the rule and lists it; a file the engine refuses is listed with its errors', async () => {
    await copyFile(
      join(cli.work, 'degraded-manual.rule.json'),
      join(cli.rulesDir, 'degraded-manual.rule.json'),
    );
    expect((await http('POST', `${cli.engine.url}/v1/rules/reload`, {}, as(ADMIN))).status).toBe(
      200,
    );
    const listed = await reflex(['rules', 'list'], cli.env);
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
      join(cli.rulesDir, 'typo.rule.json'),
      JSON.stringify({
        ...RULE,
        name: 'typo',
        conditions: { all: [{ ...RULE.conditions.all[0], path: '$.typ' }] },
      }),
    );
    await http('POST', `${cli.engine.url}/v1/rules/reload`, {}, as(ADMIN));
    const withRefusal = await reflex(['rules', 'list'], cli.env);
    expect(withRefusal.code).toBe(1);
    expect(withRefusal.stdout).toContain(
      'REFUSED  typo.rule.json (no version is live)\n  $.conditions.all[0].path: path "$.typ": the alarm fact has no "typ" at $',
    );
    expect(withRefusal.stdout).toContain('did you mean "type"?');
    await rm(join(cli.rulesDir, 'typo.rule.json'));
    await http('POST', `${cli.engine.url}/v1/rules/reload`, {}, as(ADMIN));
  });
});
