// The reflex command line, read side: help and usage errors, refusals, status, hosts and
// groups, against a running engine. The rules commands are in reflex-cli-rules, the plan commands in
// reflex-cli-plans.
import { freePort } from '../support/free-port';
import { CLOUD, VIEWER, cliFixture } from './support/cli-fixture';
import { reflex } from './run-reflex';

describe('the reflex command line against a running engine', () => {
  const cli = cliFixture();

  it('explains itself: --help on the whole and on each command, usage errors exit 2', async () => {
    const overview = await reflex(['--help'], cli.env);
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

    const watchHelp = await reflex(['plan', 'watch', '--help'], cli.env);
    expect(watchHelp.code).toBe(0);
    expect(watchHelp.stdout).toContain('usage: reflex plan watch <id> [--json]');
    expect(watchHelp.stdout).toContain('unique prefix');
    const rulesHelp = await reflex(['rules', '--help'], cli.env);
    expect(rulesHelp.stdout).toContain('reflex rules dry-run <alarm.json>');

    const unknown = await reflex(['plans', '--colour'], cli.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
    const missing = await reflex(['approve'], cli.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage: reflex approve <id>');
  });

  it('says why it cannot work: wrong or missing token (401), engine not there', async () => {
    const wrong = await reflex(['status'], {
      ...cli.env,
      REFLEX_TOKEN: 'not-a-token-of-this-engine',
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('the engine refused REFLEX_TOKEN (401');
    expect(wrong.stdout).toBe('');
    const none = await reflex(['plans'], { REFLEX_URL: cli.engine.url });
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('set REFLEX_TOKEN');
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const away = await reflex(['status'], { REFLEX_URL: nobody, REFLEX_TOKEN: VIEWER });
    expect(away.code).toBe(3);
    expect(away.stderr).toContain(`cannot reach Reflex at ${nobody}: connection refused`);
    expect(away.stderr).not.toMatch(/\n\s+at /);
  });

  it('status shows hosts with load by zone, groups with redundancy and live plans', async () => {
    const status = await reflex(['status'], cli.env);
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

    const json = JSON.parse((await reflex(['status', '--json'], cli.env)).stdout);
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
    const hosts = await reflex(['hosts'], cli.env);
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

    const groups = await reflex(['groups'], cli.env);
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

    const json = JSON.parse((await reflex(['hosts', '--json'], cli.env)).stdout);
    expect(json[0]).toMatchObject({
      id: 'cmp-1',
      load: {
        used: { vcpus: 8, memoryMb: 16384 },
        free: { vcpus: 8 },
        instanceCount: 2,
        percent: 50,
      },
    });
    const groupsJson = JSON.parse((await reflex(['groups', '--json'], cli.env)).stdout);
    expect(groupsJson[0].members.map((m: { instance: string }) => m.instance)).toEqual([
      'db-1',
      'db-2',
    ]);
    expect((await reflex(['hosts', '--help'], cli.env)).stdout).toContain('LOAD is the larger');
  });
});
