// The driver on the openstack backend (the fake Keystone + Nova of test/driver-backends), driven
// only through Kafka. Reflex hosts os-01/os-02 are listed under `openstack.hosts` (mapped to the
// Nova hosts cmp-01/cmp-02), so the driver picks openstack for them.
import { FakeNova } from '../driver-backends/support/fake-nova.server';
import { startTestDriver, type TestDriver } from '../support/driver-app';
import {
  EventLog,
  migrate,
  newActionId,
  recordingFailHook,
  sendCommands,
  withKind,
  writeConfig,
} from './support/driver-harness';

const MOVE = { instanceId: 'vm-01', fromHostId: 'os-01', toHostId: 'os-02' };

describe('driver on OpenStack (fake Nova, Kafka in, Kafka out)', () => {
  let nova: FakeNova;
  let driver: TestDriver;
  let prefix: string;
  let log: EventLog;
  let hook: ReturnType<typeof recordingFailHook>;
  const reset = (mode: FakeNova['liveMode'], steps = 5) => {
    nova.addServer('vm-01', 'cmp-01');
    nova.liveMode = mode;
    nova.steps = steps;
  };
  const requests = (method: string, path: string) => nova.compute(method, path).length;

  beforeAll(async () => {
    nova = await new FakeNova().start();
    nova.addComputeService('cmp-01');
    nova.addComputeService('cmp-02');
    hook = recordingFailHook();
    process.env.REFLEX_TEST_DRIVER_OS_PASSWORD = 'secret';
    driver = await startTestDriver({
      env: {
        DRIVER_HOOKS_FILE: hook.file,
        DRIVER_BACKENDS_FILE: writeConfig('backends.yaml', {
          openstack: {
            authUrl: `${nova.url}/identity/v3`,
            username: 'reflex',
            passwordEnv: 'REFLEX_TEST_DRIVER_OS_PASSWORD',
            projectName: 'admin',
            region: 'RegionOne',
            requestTimeoutMs: 2000,
            settleIntervalMs: 10,
            settleTimeoutMs: 2000,
            hosts: { 'os-01': 'cmp-01', 'os-02': 'cmp-02' },
          },
        }),
      },
    });
    prefix = driver.config.topicPrefix;
    log = await EventLog.start(prefix);
  });

  afterAll(async () => {
    await log?.close();
    await driver?.close();
    await nova?.close();
  });

  afterEach(() => expect(log.invalid).toEqual([]));

  it('executes: os-migrateLive, progress from the migration, success', async () => {
    reset('ok', 8);
    const command = migrate(newActionId('os-ok'), MOVE);
    await sendCommands(prefix, command);
    expect(await log.final(command.actionId)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(log.statuses(command.actionId)[0]).toBe('accepted');
    expect(log.statuses(command.actionId)).toContain('progress');
    const post = nova.compute('POST', '/servers/vm-01/action').at(-1)!;
    expect(post.body).toEqual({ 'os-migrateLive': { host: 'cmp-02', block_migration: 'auto' } });
    expect(nova.servers['vm-01']).toMatchObject({ host: 'cmp-02', status: 'ACTIVE' });
  });

  it('fails when Nova rolls the migration back; fail path and fail hook run', async () => {
    reset('fail');
    const command = migrate(newActionId('os-fail'), MOVE);
    await sendCommands(prefix, command);
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed', retriable: false },
      detail: { failPath: [expect.stringContaining('vm-01 is on cmp-01')] },
    });
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
    expect(hook.payloads('fail').filter((p) => p.action.actionId === command.actionId)).toEqual([
      expect.objectContaining({ outcome: expect.objectContaining({ status: 'failed' }) }),
    ]);
  });

  it('aborts the migration on an abort command', async () => {
    reset('hang');
    const deletes = requests('DELETE', '/servers/vm-01/migrations/');
    const command = migrate(newActionId('os-abort'), MOVE);
    await sendCommands(prefix, command);
    await log.next(command.actionId, 'progress');
    await sendCommands(prefix, withKind(command, 'abort'));
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'aborted',
      error: { code: 'aborted' },
    });
    expect(requests('DELETE', '/servers/vm-01/migrations/')).toBe(deletes + 1);
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
  });

  it('force-completes the migration on a force-complete command', async () => {
    reset('hang');
    const command = migrate(newActionId('os-force'), MOVE);
    await sendCommands(prefix, command);
    await log.next(command.actionId, 'progress');
    await sendCommands(prefix, withKind(command, 'force-complete'));
    expect(await log.final(command.actionId)).toMatchObject({ status: 'succeeded' });
    const force = nova.compute('POST', '/servers/vm-01/migrations/').at(-1)!;
    expect(force.body).toEqual({ force_complete: null });
    expect(nova.servers['vm-01'].host).toBe('cmp-02');
  });

  it('times out: aborts at the deadline and fails with `timeout`', async () => {
    reset('hang');
    const deletes = requests('DELETE', '/servers/vm-01/migrations/');
    const command = migrate(newActionId('os-late'), MOVE, { deadlineMs: 1500 });
    await sendCommands(prefix, command);
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retriable: false },
    });
    expect(requests('DELETE', '/servers/vm-01/migrations/')).toBe(deletes + 1);
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
    expect(hook.payloads('fail').some((p) => p.action.actionId === command.actionId)).toBe(true);
  });
});
