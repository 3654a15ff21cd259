// The driver on the libvirt backend (the fake virsh of test/driver-backends), driven only through
// Kafka: the hosts are listed under `libvirt.hosts`, so the driver picks libvirt for them.
import { installFakeVirsh, type FakeVirsh } from '../driver-backends/support/fake-virsh';
import { startTestDriver, type TestDriver } from '../support/driver-app';
import { http } from '../support/http';
import {
  EventLog,
  migrate,
  newActionId,
  recordingFailHook,
  sendCommands,
  withKind,
  writeConfig,
} from './support/driver-harness';

const SRC = 'qemu+ssh://cmp-01/system';
const DST = 'qemu+ssh://cmp-02/system';
const MOVE = { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' };

describe('driver on libvirt (fake virsh, Kafka in, Kafka out)', () => {
  let virsh: FakeVirsh;
  let driver: TestDriver;
  let prefix: string;
  let log: EventLog;
  let hook: ReturnType<typeof recordingFailHook>;
  const where = () => virsh.state().hosts;
  const called = (...argv: string[]) => virsh.calls().some((c) => argv.every((a, i) => c[i] === a));
  const reset = (mode: 'ok' | 'fail' | 'hang', steps = 6) =>
    virsh.setState((s) => {
      s.hosts = { [SRC]: { 'vm-01': 'running' }, [DST]: {} };
      s.migration = { mode, steps, stepMs: 60 };
    });

  beforeAll(async () => {
    virsh = installFakeVirsh({ hosts: {} });
    hook = recordingFailHook();
    driver = await startTestDriver({
      env: {
        SIMULATOR_CONTROL: '0',
        DRIVER_HOOKS_FILE: hook.file,
        DRIVER_BACKENDS_FILE: writeConfig('backends.yaml', {
          libvirt: {
            virshPath: virsh.path,
            hosts: { 'cmp-01': { uri: SRC }, 'cmp-02': { uri: DST } },
            stateIntervalMs: 10,
            shutdownTimeoutMs: 2000,
            commandTimeoutMs: 5000,
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
  });

  afterEach(() => expect(log.invalid).toEqual([]));

  it('executes: virsh migrate, progress from domjobinfo, success', async () => {
    reset('ok', 10);
    const command = migrate(newActionId('lv-ok'), MOVE);
    await sendCommands(prefix, command);
    expect(await log.final(command.actionId)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(log.statuses(command.actionId)[0]).toBe('accepted');
    expect(log.statuses(command.actionId)).toContain('progress');
    expect(called('-c', SRC, 'migrate', '--live')).toBe(true);
    expect(where()).toEqual({ [SRC]: {}, [DST]: { 'vm-01': 'running' } });
  });

  it('fails: the fail path removes the half-migrated guest, the fail hook runs', async () => {
    reset('fail');
    const command = migrate(newActionId('lv-fail'), MOVE);
    await sendCommands(prefix, command);
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed', retriable: false },
      detail: { failPath: ['removed vm-01 from the destination'] },
    });
    expect(called('-c', DST, 'undefine', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    expect(hook.payloads('fail').filter((p) => p.action.actionId === command.actionId)).toEqual([
      expect.objectContaining({ outcome: expect.objectContaining({ status: 'failed' }) }),
    ]);
  });

  it('aborts with domjobabort on an abort command', async () => {
    reset('hang');
    const command = migrate(newActionId('lv-abort'), MOVE);
    await sendCommands(prefix, command);
    await log.next(command.actionId, 'progress');
    await sendCommands(prefix, withKind(command, 'abort'));
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'aborted',
      error: { code: 'aborted' },
    });
    expect(called('-c', SRC, 'domjobabort', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
  });

  it('force-completes with migrate-setmaxdowntime on a force-complete command', async () => {
    reset('hang');
    const command = migrate(newActionId('lv-force'), MOVE);
    await sendCommands(prefix, command);
    await log.next(command.actionId, 'progress');
    await sendCommands(prefix, withKind(command, 'force-complete'));
    expect(await log.final(command.actionId)).toMatchObject({ status: 'succeeded' });
    expect(called('-c', SRC, 'migrate-setmaxdowntime', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: {}, [DST]: { 'vm-01': 'running' } });
  });

  it('times out: aborts at the deadline and fails with `timeout`', async () => {
    reset('hang');
    const command = migrate(newActionId('lv-late'), MOVE, { deadlineMs: 1500 });
    await sendCommands(prefix, command);
    expect(await log.final(command.actionId)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retriable: false },
    });
    expect(called('-c', SRC, 'domjobabort', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    expect(hook.payloads('fail').some((p) => p.action.actionId === command.actionId)).toBe(true);
  });

  it('keeps the simulator control API off unless SIMULATOR_CONTROL=1', async () => {
    const res = await http('GET', `${driver.url}/v1/sim/state`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
