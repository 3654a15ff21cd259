// The driver on the openstack backend (the fake Keystone + Nova of test/driver-backends), driven
// only through Kafka. Reflex hosts os-01/os-02 are listed under `openstack.hosts` (mapped to the
// Nova hosts cmp-01/cmp-02), so the driver picks openstack for them.
import { FakeNova } from '../driver-backends/support/fake-nova.server';
import { migrate, newActionId } from './support/driver-harness';
import { driverSpec } from './support/driver-spec';

const MOVE = { instanceId: 'vm-01', fromHostId: 'os-01', toHostId: 'os-02' };

describe('driver on OpenStack (fake Nova, Kafka in, Kafka out)', () => {
  let nova: FakeNova;
  beforeAll(async () => {
    nova = await new FakeNova().start();
    nova.addComputeService('cmp-01');
    nova.addComputeService('cmp-02');
    process.env.REFLEX_TEST_DRIVER_OS_PASSWORD = 'secret';
  });
  const ctx = driverSpec(() => ({
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
  }));
  // Declared after driverSpec, so that it runs after the driver has stopped.
  afterAll(() => nova?.close());
  const reset = (mode: FakeNova['liveMode'], steps = 5) => {
    nova.addServer('vm-01', 'cmp-01');
    nova.liveMode = mode;
    nova.steps = steps;
  };
  const requests = (method: string, path: string) => nova.compute(method, path).length;

  it('executes: os-migrateLive, progress from the migration, success', async () => {
    reset('ok', 8);
    const command = migrate(newActionId('os-ok'), MOVE);
    expect(await ctx.run(command)).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(ctx.log.statuses(command.actionId)[0]).toBe('accepted');
    expect(ctx.log.statuses(command.actionId)).toContain('progress');
    const post = nova.compute('POST', '/servers/vm-01/action').at(-1)!;
    expect(post.body).toEqual({ 'os-migrateLive': { host: 'cmp-02', block_migration: 'auto' } });
    expect(nova.servers['vm-01']).toMatchObject({ host: 'cmp-02', status: 'ACTIVE' });
  });

  it('fails when Nova rolls the migration back; fail path and fail hook run', async () => {
    reset('fail');
    const command = migrate(newActionId('os-fail'), MOVE);
    expect(await ctx.run(command)).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed', retriable: false },
      detail: { failPath: [expect.stringContaining('vm-01 is on cmp-01')] },
    });
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
    expect(ctx.failHooks(command.actionId)).toEqual([
      expect.objectContaining({ outcome: expect.objectContaining({ status: 'failed' }) }),
    ]);
  });

  it('aborts the migration on an abort command', async () => {
    reset('hang');
    const deletes = requests('DELETE', '/servers/vm-01/migrations/');
    const command = migrate(newActionId('os-abort'), MOVE);
    expect(await ctx.interrupt(command, 'abort')).toMatchObject({
      status: 'aborted',
      error: { code: 'aborted' },
    });
    expect(requests('DELETE', '/servers/vm-01/migrations/')).toBe(deletes + 1);
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
  });

  it('force-completes the migration on a force-complete command', async () => {
    reset('hang');
    const command = migrate(newActionId('os-force'), MOVE);
    expect(await ctx.interrupt(command, 'force-complete')).toMatchObject({ status: 'succeeded' });
    const force = nova.compute('POST', '/servers/vm-01/migrations/').at(-1)!;
    expect(force.body).toEqual({ force_complete: null });
    expect(nova.servers['vm-01'].host).toBe('cmp-02');
  });

  it('times out: aborts at the deadline and fails with `timeout`', async () => {
    reset('hang');
    const deletes = requests('DELETE', '/servers/vm-01/migrations/');
    const command = migrate(newActionId('os-late'), MOVE, { deadlineMs: 1500 });
    expect(await ctx.run(command)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retriable: false },
    });
    expect(requests('DELETE', '/servers/vm-01/migrations/')).toBe(deletes + 1);
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
    expect(ctx.failHooks(command.actionId).length).toBeGreaterThan(0);
  });
});
