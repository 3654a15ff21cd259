import { ActionExecutor } from '../../apps/driver/src/actions/action.executor';
import type { BackendAction } from '../../apps/driver/src/backends/backend.port';
import { LibvirtBackend } from '../../apps/driver/src/backends/libvirt/libvirt.backend';
import { parseLibvirtConfig } from '../../apps/driver/src/backends/libvirt/libvirt.config';
import { HookRunner } from '../../apps/driver/src/hooks/hook.runner';
import { parseHooksConfig } from '../../apps/driver/src/hooks/hooks.config';
import { waitFor } from '../support/wait-for';
import { deadlineIn, recorder, recordingHook, tempDir } from './support/driver-fixtures';
import { installFakeVirsh, type FakeVirsh } from './support/fake-virsh';

const SRC = 'qemu+ssh://cmp-01/system';
const DST = 'qemu+ssh://cmp-02/system';

describe('libvirt backend (fake virsh)', () => {
  let virsh: FakeVirsh;
  let backend: LibvirtBackend;
  let executor: ActionExecutor;
  let hook: ReturnType<typeof recordingHook>;
  let n = 0;

  const configFor = (extra: Record<string, unknown> = {}) =>
    parseLibvirtConfig({
      virshPath: virsh.path,
      hosts: { 'cmp-01': { uri: SRC }, 'cmp-02': { uri: DST } },
      stateIntervalMs: 10,
      shutdownTimeoutMs: 2000,
      commandTimeoutMs: 5000,
      ...extra,
    });
  const setup = (extra: Record<string, unknown> = {}) => {
    backend = new LibvirtBackend(configFor(extra));
    executor = new ActionExecutor(() => backend, hooks(), {
      pollIntervalMs: 15,
      abortGraceMs: 3000,
    });
  };
  const hooks = () =>
    new HookRunner(
      parseHooksConfig({ hooks: { '*': { fail: [{ name: 'record', command: hook.path }] } } }),
    );
  const migration = (
    type: 'live-migrate' | 'cold-migrate' = 'live-migrate',
    deadlineMs = 20_000,
  ): BackendAction => ({
    actionId: `lv-${++n}`,
    attempt: 1,
    type,
    params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
    deadline: deadlineIn(deadlineMs),
  });
  const where = () => virsh.state().hosts;

  beforeEach(() => {
    virsh = installFakeVirsh({
      hosts: { [SRC]: { 'vm-01': 'running' }, [DST]: {} },
      migration: { mode: 'ok', steps: 6, stepMs: 40 },
    });
    hook = recordingHook(tempDir('hooks'));
    setup();
  });
  afterEach(() => backend.close());

  it('live-migrates: exact virsh argv, progress from domjobinfo, success', async () => {
    // Long enough for several domjobinfo samples (each fake virsh call starts a Node process).
    virsh.setState((s) => (s.migration = { mode: 'ok', steps: 12, stepMs: 80 }));
    const r = recorder();
    const final = await executor.execute(migration(), r.listener);
    expect(final).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(virsh.calls()).toContainEqual([
      '-c',
      SRC,
      'migrate',
      '--live',
      '--persistent',
      '--undefinesource',
      'vm-01',
      DST,
    ]);
    expect(virsh.calls().some((c) => c[2] === 'domjobinfo' && c[3] === 'vm-01')).toBe(true);
    const progress = r.progress();
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a! - b!));
    expect(where()).toEqual({ [SRC]: {}, [DST]: { 'vm-01': 'running' } });
  });

  it('fails: classified error, the fail path cleans the destination, the fail hook runs', async () => {
    virsh.setState((s) => (s.migration!.mode = 'fail'));
    const action = migration();
    const final = await executor.execute(action, recorder().listener);
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed', retriable: false },
      detail: { failPath: ['removed vm-01 from the destination'] },
    });
    expect(final.error).toMatchObject({
      message: expect.stringContaining('qemu unexpectedly closed'),
    });
    expect(virsh.calls()).toContainEqual(['-c', DST, 'destroy', 'vm-01']);
    expect(virsh.calls()).toContainEqual(['-c', DST, 'undefine', 'vm-01']);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    const [payload] = hook.payloads('fail');
    expect(payload).toMatchObject({
      phase: 'fail',
      action: { actionId: action.actionId, type: 'live-migrate' },
      outcome: { status: 'failed', failPath: ['removed vm-01 from the destination'] },
    });
  });

  it('aborts on request with domjobabort; the guest stays on the source', async () => {
    virsh.setState((s) => (s.migration!.mode = 'hang'));
    const r = recorder();
    const action = migration();
    const done = executor.execute(action, r.listener);
    await waitFor('progress', () => r.progress().length > 0);
    await executor.abort(action.actionId);
    expect(await done).toMatchObject({ status: 'aborted', error: { code: 'aborted' } });
    expect(virsh.calls()).toContainEqual(['-c', SRC, 'domjobabort', 'vm-01']);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    expect(hook.payloads('fail')[0].outcome).toMatchObject({ status: 'aborted' });
  });

  it('force-completes with migrate-setmaxdowntime, or migrate-postcopy when started with --postcopy', async () => {
    virsh.setState((s) => (s.migration!.mode = 'hang'));
    const r = recorder();
    const first = migration();
    const done = executor.execute(first, r.listener);
    await waitFor('progress', () => r.progress().length > 0);
    await executor.forceComplete(first.actionId);
    expect(await done).toMatchObject({ status: 'succeeded' });
    expect(virsh.calls()).toContainEqual(['-c', SRC, 'migrate-setmaxdowntime', 'vm-01', '5000']);

    virsh.setState((s) => (s.hosts = { [SRC]: { 'vm-01': 'running' }, [DST]: {} }));
    setup({ postcopy: true });
    const r2 = recorder();
    const second = migration();
    const done2 = executor.execute(second, r2.listener);
    await waitFor('progress', () => r2.progress().length > 0);
    await executor.forceComplete(second.actionId);
    expect(await done2).toMatchObject({ status: 'succeeded' });
    expect(virsh.calls()).toContainEqual(['-c', SRC, 'migrate-postcopy', 'vm-01']);
    expect(virsh.calls()).toContainEqual(
      expect.arrayContaining(['migrate', '--postcopy', 'vm-01', DST]),
    );
  });

  it('times out: aborts at the deadline and fails with `timeout`', async () => {
    virsh.setState((s) => (s.migration!.mode = 'hang'));
    const final = await executor.execute(migration('live-migrate', 400), recorder().listener);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'timeout', retriable: false } });
    expect(virsh.calls()).toContainEqual(['-c', SRC, 'domjobabort', 'vm-01']);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
    expect(hook.payloads('fail')).toHaveLength(1);
  });

  it('reconciles after a restart: a new backend finds the migration in libvirt and sees it finish', async () => {
    virsh.setState((s) => (s.migration!.mode = 'hang'));
    const action = migration();
    const handle = await backend.start(action);
    await waitFor('job running', async () => (await backend.poll(handle)).progress! > 0);

    const restarted = new LibvirtBackend(configFor());
    const found = await restarted.inspect(action);
    expect(found).toMatchObject({ state: 'running', handle: { ref: { domain: 'vm-01' } } });
    await restarted.forceComplete(found.handle!);
    await waitFor(
      'success',
      async () => (await restarted.poll(found.handle!)).status === 'succeeded',
    );
    expect(await restarted.inspect(action)).toMatchObject({ state: 'succeeded' });
    expect(virsh.calls().filter((c) => c[2] === 'migrate')).toHaveLength(1);
  });

  it('starts once per (actionId, attempt), even when two starts race', async () => {
    const action = migration();
    const [a, b] = await Promise.all([backend.start(action), backend.start(action)]);
    expect(b).toEqual(a);
    await waitFor('success', async () => (await backend.poll(a)).status === 'succeeded');
    expect(await backend.start(action)).toEqual(a);
    expect(virsh.calls().filter((c) => c[2] === 'migrate')).toHaveLength(1);
  });

  it('cold-migrates: shutdown, offline migrate, start on the destination', async () => {
    const final = await executor.execute(migration('cold-migrate'), recorder().listener);
    expect(final.status).toBe('succeeded');
    const commands = virsh.calls().map((c) => c.slice(1).join(' '));
    expect(commands).toEqual(
      expect.arrayContaining([
        `${SRC} shutdown vm-01`,
        `${SRC} migrate --offline --persistent --undefinesource vm-01 ${DST}`,
        `${DST} start vm-01`,
      ]),
    );
    expect(where()).toEqual({ [SRC]: {}, [DST]: { 'vm-01': 'running' } });
  });

  it('cold-migrate fail path brings the definition back and starts the guest on the source', async () => {
    const noSpace = 'error: Failed to start domain vm-01\nerror: internal error: no space left';
    virsh.setState((s) => (s.fail = { [`start ${DST}`]: noSpace }));
    const final = await executor.execute(migration('cold-migrate'), recorder().listener);
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed' },
      detail: {
        failPath: [
          'moved the definition of vm-01 back to the source',
          'started vm-01 on the source',
        ],
      },
    });
    expect(virsh.calls()).toContainEqual([
      '-c',
      DST,
      'migrate',
      '--offline',
      '--persistent',
      '--undefinesource',
      'vm-01',
      SRC,
    ]);
    expect(where()).toEqual({ [SRC]: { 'vm-01': 'running' }, [DST]: {} });
  });

  it('recovers with destroy then start, and refuses evacuate and dash-named domains', async () => {
    const recover = {
      actionId: 'rc',
      attempt: 1,
      type: 'recover-instance',
      params: { instanceId: 'vm-01' },
      deadline: deadlineIn(5000),
    } as BackendAction;
    expect(await executor.execute(recover, recorder().listener)).toMatchObject({
      status: 'succeeded',
    });
    const tail = virsh.calls().filter((c) => ['destroy', 'start'].includes(c[2]));
    expect(tail).toEqual([
      ['-c', SRC, 'destroy', 'vm-01'],
      ['-c', SRC, 'start', 'vm-01'],
    ]);

    await expect(
      backend.start({ ...migration(), type: 'evacuate' } as BackendAction),
    ).rejects.toMatchObject({
      code: 'unsupported',
      retriable: false,
    });
    const evil = {
      ...migration(),
      params: { instanceId: '--help', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
    } as BackendAction;
    await expect(backend.start(evil)).rejects.toMatchObject({ code: 'rejected' });
    expect(virsh.calls().filter((c) => c[2] === 'migrate')).toHaveLength(0);
  });
});
