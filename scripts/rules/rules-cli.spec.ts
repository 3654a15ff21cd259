import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuleDir, sampleRule } from '../../libs/rules/src/testing/rule-files';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'rules', 'fixtures');

/** Runs the CLI as operators do (`npm run rules -- ...` is this command). */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/rules/rules-cli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, RULES_DIR: '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

jest.setTimeout(60_000);

describe('rules CLI', () => {
  let dir: RuleDir;
  beforeEach(() => (dir = new RuleDir()));
  afterEach(() => dir.remove());

  it('validates every shipped rule', async () => {
    const { code, stdout } = await cli('validate');
    expect(stdout).toContain('9 valid, 0 refused');
    expect(stdout).toMatch(/^OK {4}rules\/n-plus-one-switch-over\.rule\.json/m);
    expect(code).toBe(0);
  });

  it('fails on a broken rule, printing each error with its JSON path', async () => {
    dir.write('good', sampleRule('good'));
    dir.write(
      'broken',
      sampleRule('broken', {
        mode: 'yolo',
        conditions: { all: [{ fact: 'alarm', path: '$..type', operator: 'equal', value: 'x' }] },
      }),
    );
    const { code, stdout } = await cli('validate', dir.path);
    expect(stdout).toContain(`FAIL  ${join(dir.path, 'broken.rule.json')}`);
    expect(stdout).toContain('      $.mode: must be one of: auto, manual; got "yolo"');
    expect(stdout).toContain('      $.conditions.all[0].path: invalid path "$..type"');
    expect(stdout).toContain('1 valid, 1 refused');
    expect(code).toBe(1);

    const json = await cli('validate', '--json', join(dir.path, 'broken.rule.json'));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      files: [{ ok: false, errors: expect.any(Array) }],
    });
  });

  it('fails when there is nothing to validate, and exits 2 on a path that does not exist', async () => {
    expect((await cli('validate', dir.path)).code).toBe(1);
    const missing = await cli('validate', join(dir.path, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
  });

  it('tests a shipped rule by name: exit 0 when it fires, with each condition and the decision', async () => {
    const { code, stdout } = await cli(
      'test',
      'n-plus-one-switch-over',
      join(FIXTURES, 'n-plus-one-switch-over', 'active-down-with-healthy-standby.json'),
    );
    expect(stdout).toContain('rule n-plus-one-switch-over v1 sha256 ');
    expect(stdout).toContain(': FIRED');
    expect(stdout).toContain(
      '✓ $.conditions.all[3]: groupStatus $.healthyStandby greaterThan 0 → fact value 1',
    );
    expect(stdout).toContain(
      'decision: switch-over on instance db-1 (mode auto, onFailure rollback, cooldown 300 s)',
    );
    expect(code).toBe(0);
  });

  it('tests a rule file with separate alarm and inventory files: exit 1 when it does not fire, saying why', async () => {
    const fixture = JSON.parse(
      readFileSync(
        join(FIXTURES, 'n-plus-one-no-standby', 'active-down-standby-stopped.json'),
        'utf8',
      ),
    ) as { alarm: unknown; inventory: unknown };
    const alarmFile = join(dir.path, 'alarm.json');
    const inventoryFile = join(dir.path, 'inventory.json');
    writeFileSync(alarmFile, JSON.stringify(fixture.alarm));
    writeFileSync(inventoryFile, JSON.stringify(fixture.inventory));
    const { code, stdout } = await cli(
      'test',
      join(ROOT, 'rules', 'n-plus-one-switch-over.rule.json'),
      alarmFile,
      inventoryFile,
    );
    expect(stdout).toContain(': NOT FIRED');
    expect(stdout).toContain(
      '✗ $.conditions.all[3]: groupStatus $.healthyStandby greaterThan 0 → fact value 0',
    );
    expect(stdout).toContain(
      'n-plus-one-switch-over v1 did not apply: groupStatus.healthyStandby is 0 (needs greaterThan 0)',
    );
    expect(stdout).toContain(
      'decision: none (conditions-failed)\n  closest: n-plus-one-switch-over v1, held back by ' +
        '$.conditions.all[3] groupStatus.healthyStandby is 0 (needs greaterThan 0)\n',
    );
    expect(code).toBe(1);
  });

  it('exits 2 on bad input: a broken rule, an unreadable alarm, a missing argument', async () => {
    const broken = dir.write('broken', sampleRule('broken', { priority: 'high' }));
    const alarmFile = join(dir.path, 'alarm.json');
    writeFileSync(alarmFile, '{ nope');
    const results = await Promise.all([
      cli('test', broken, join(FIXTURES, 'host-down-failover', 'host-down.json')),
      cli('test', 'host-down-failover', alarmFile),
      cli('test', 'host-down-failover'),
      cli('test', 'no-such-rule', alarmFile),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(results[0].stderr).toContain('$.priority: must be integer; got "high"');
    expect(results[1].stderr).toContain('is not valid JSON');
  });

  it('answers --help with the usage on stdout and exit 0, on its own or after a command', async () => {
    const results = await Promise.all([cli('--help'), cli('validate', '-h'), cli('help'), cli()]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 2]);
    expect(results[0].stdout).toContain('usage: rules <command>');
    expect(results[0].stdout).toContain('exit status: 0 success');
    expect(results[1].stdout).toBe(results[0].stdout);
    expect(results[3].stderr).toContain('usage: rules <command>');
  });

  it('runs every shipped fixture', async () => {
    const { code, stdout } = await cli('fixtures');
    expect(stdout).toMatch(/\d+ passed, 0 failed, 0 gaps/);
    expect(code).toBe(0);
  });
});
