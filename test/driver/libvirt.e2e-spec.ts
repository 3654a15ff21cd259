// The driver on the libvirt backend (the fake virsh of test/driver-backends), driven only through
// Kafka: the hosts are listed under `libvirt.hosts`, so the driver picks libvirt for them.
import { installFakeVirsh, type FakeVirsh } from '../driver-backends/support/fake-virsh';
import { http } from '../support/http';
import { migrate, newActionId } from './support/driver-harness';
import { driverSpec } from './support/driver-spec';

const SRC = 'qemu+ssh://cmp-01/system';
const DST = 'qemu+ssh://cmp-02/system';
const MOVE = { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' };

describe('driver on libvirt (fake virsh, Kafka in, Kafka out)', () => {
  let virsh: FakeVirsh;
  beforeAll(() => {
    virsh = installFakeVirsh({ hosts: {} });
  });
  const ctx = driverSpec(
    () => ({
      libvirt: {
        virshPath: virsh.path,
        hosts: { 'cmp-01': { uri: SRC }, 'cmp-02': { uri: DST } },
        stateIntervalMs: 10,
        shutdownTimeoutMs: 2000,
        commandTimeoutMs: 5000,
      },
    }),
    { SIMULATOR_CONTROL: '0' },
  );
  const where = () => virsh.state().hosts;
  const called = (...argv: string[]) => virsh.calls().some((c) => argv.every((a, i) => c[i] === a));
  const reset = (mode: 'ok' | 'fail' | 'hang', steps = 6) =>
    virsh.setState((s) => {
      s.hosts = { [SRC]: { 'vm-01': 'running' }, [DST]: {} };
      s.migration = { mode, steps, stepMs: 60 };
    });

  it('executes: virsh migrate, progress from domjobinfo, success', async () => {
    reset('ok', 10);
    const command = migrate(newActionId('lv-ok'), MOVE);
    expect(await ctx.run(command)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(ctx.log.statuses(command.actionId)[0]).toBe('accepted');
    expect(ctx.log.statuses(command.actionId)).toContain('progress');
    expect(called('-c', SRC, 'migrate', '--live')).toBe(true);
    expect(where()).toEqual({ [SRC]: {}, [DST]: { 'vm-01': 'running' } });
  });

  it('fails: the fail path removes the half-migrated guest, the fail hook runs', async () => {
    reset('fail');
    const command = migrate(newActionId('lv-fail'), MOVE);
    expect(await ctx.run(command)).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed', retriable: false },
      detail: { failPath: ['removed vm-01 from the destination'] },
    });
    expect(called('-c', DST, 'undefine', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    expect(ctx.failHooks(command.actionId)).toEqual([
      expect.objectContaining({ outcome: expect.objectContaining({ status: 'failed' }) }),
    ]);
  });

  it('aborts with domjobabort on an abort command', async () => {
    reset('hang');
    const command = migrate(newActionId('lv-abort'), MOVE);
    expect(await ctx.interrupt(command, 'abort')).toMatchObject({
      status: 'aborted',
      error: { code: 'aborted' },
    });
    expect(called('-c', SRC, 'domjobabort', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
  });

  it('force-completes with migrate-setmaxdowntime on a force-complete command', async () => {
    reset('hang');
    const command = migrate(newActionId('lv-force'), MOVE);
    expect(await ctx.interrupt(command, 'force-complete')).toMatchObject({ status: 'succeeded' });
    expect(called('-c', SRC, 'migrate-setmaxdowntime', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: {}, [DST]: { 'vm-01': 'running' } });
  });

  it('times out: aborts at the deadline and fails with `timeout`', async () => {
    reset('hang');
    const command = migrate(newActionId('lv-late'), MOVE, { deadlineMs: 1500 });
    expect(await ctx.run(command)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retriable: false },
    });
    expect(called('-c', SRC, 'domjobabort', 'vm-01')).toBe(true);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    expect(ctx.failHooks(command.actionId).length).toBeGreaterThan(0);
  });

  it('keeps the simulator control API off unless SIMULATOR_CONTROL=1', async () => {
    const res = await http('GET', `${ctx.driver.url}/v1/sim/state`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
