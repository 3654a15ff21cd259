import { ActionExecutor } from '../../apps/driver/src/actions/action.executor';
import type { BackendAction } from '../../apps/driver/src/backends/backend.port';
import { OpenStackBackend } from '../../apps/driver/src/backends/openstack/openstack.backend';
import { parseOpenStackConfig } from '../../apps/driver/src/backends/openstack/openstack.config';
import { HookRunner } from '../../apps/driver/src/hooks/hook.runner';
import { parseHooksConfig } from '../../apps/driver/src/hooks/hooks.config';
import { waitFor } from '../support/wait-for';
import { deadlineIn, recorder, recordingHook, tempDir } from './support/driver-fixtures';
import { FakeNova } from './support/fake-nova.server';

describe('openstack backend (fake Keystone + Nova)', () => {
  let nova: FakeNova;
  let backend: OpenStackBackend;
  let executor: ActionExecutor;
  let hook: ReturnType<typeof recordingHook>;
  let n = 0;

  const makeBackend = () =>
    new OpenStackBackend(
      parseOpenStackConfig(
        {
          authUrl: `${nova.url}/identity/v3`,
          username: 'reflex',
          passwordEnv: 'REFLEX_TEST_OS_PASSWORD',
          projectName: 'admin',
          region: 'RegionOne',
          requestTimeoutMs: 2000,
          settleIntervalMs: 10,
          settleTimeoutMs: 2000,
        },
        { REFLEX_TEST_OS_PASSWORD: 'secret' },
      ),
    );
  const action = (type: BackendAction['type'], params: object, deadlineMs = 20_000) =>
    ({
      actionId: `os-${++n}`,
      attempt: 1,
      type,
      params,
      deadline: deadlineIn(deadlineMs),
    }) as BackendAction;
  const live = (deadlineMs?: number) =>
    action(
      'live-migrate',
      { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
      deadlineMs,
    );

  beforeEach(async () => {
    nova = await new FakeNova().start();
    nova.addServer('vm-01', 'cmp-01');
    nova.addComputeService('cmp-01');
    nova.addComputeService('cmp-02');
    hook = recordingHook(tempDir('hooks'));
    backend = makeBackend();
    const hooks = new HookRunner(
      parseHooksConfig({ hooks: { '*': { fail: [{ name: 'record', command: hook.path }] } } }),
    );
    executor = new ActionExecutor(() => backend, hooks, { pollIntervalMs: 15, abortGraceMs: 2000 });
  });
  afterEach(() => nova.close());

  it('live-migrates: Keystone auth, os-migrateLive with microversion 2.30, progress, success', async () => {
    const r = recorder();
    expect(await executor.execute(live(), r.listener)).toMatchObject({
      status: 'succeeded',
      progress: 100,
    });

    const auth = nova.requests.find((q) => q.path === '/identity/v3/auth/tokens')!;
    expect(auth.body).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'reflex', domain: { name: 'Default' }, password: 'secret' } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    });
    const [post] = nova.compute('POST', '/servers/vm-01/action');
    expect(post.body).toEqual({ 'os-migrateLive': { host: 'cmp-02', block_migration: 'auto' } });
    expect(post.headers).toMatchObject({
      'openstack-api-version': 'compute 2.30',
      'x-openstack-nova-api-version': '2.30',
      'content-type': 'application/json',
      'x-auth-token': expect.stringMatching(/^tok-/),
    });
    // The public endpoint from the catalog, not the internal one listed first.
    expect(nova.requests.some((q) => q.path.includes('v2.1-internal'))).toBe(false);
    const progress = r.progress();
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a! - b!));
    expect(nova.servers['vm-01']).toMatchObject({ host: 'cmp-02', status: 'ACTIVE' });
  });

  it('fails when Nova rolls the migration back; fail path and fail hook run', async () => {
    nova.liveMode = 'fail';
    const a = live();
    const final = await executor.execute(a, recorder().listener);
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'operation-failed', retriable: false },
      detail: { failPath: ['nothing left on cmp-02; vm-01 is on cmp-01'] },
    });
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
    expect(hook.payloads('fail')).toEqual([
      expect.objectContaining({
        action: expect.objectContaining({ actionId: a.actionId }),
        outcome: expect.objectContaining({ status: 'failed' }),
      }),
    ]);
  });

  it('aborts with DELETE /servers/{id}/migrations/{migration_id}', async () => {
    nova.liveMode = 'hang';
    const r = recorder();
    const a = live();
    const done = executor.execute(a, r.listener);
    await waitFor('progress', () => r.progress().length > 0);
    await executor.abort(a.actionId);
    expect(await done).toMatchObject({ status: 'aborted', error: { code: 'aborted' } });
    const [del] = nova.compute('DELETE', '/servers/vm-01/migrations/');
    expect(del.path).toBe(`/compute/v2.1/servers/vm-01/migrations/${nova.migrations[0].id}`);
    expect(del.headers['openstack-api-version']).toBe('compute 2.65');
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
  });

  it('force-completes with {"force_complete": null}', async () => {
    nova.liveMode = 'hang';
    const r = recorder();
    const a = live();
    const done = executor.execute(a, r.listener);
    await waitFor('progress', () => r.progress().length > 0);
    await executor.forceComplete(a.actionId);
    expect(await done).toMatchObject({ status: 'succeeded' });
    const [force] = nova.compute('POST', '/servers/vm-01/migrations/');
    expect(force.path).toMatch(/\/migrations\/\d+\/action$/);
    expect(force.body).toEqual({ force_complete: null });
    expect(force.headers['openstack-api-version']).toBe('compute 2.22');
  });

  it('times out: aborts at the deadline and fails with `timeout`', async () => {
    nova.liveMode = 'hang';
    const final = await executor.execute(live(400), recorder().listener);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'timeout', retriable: false } });
    expect(nova.compute('DELETE', '/servers/vm-01/migrations/')).toHaveLength(1);
    expect(nova.servers['vm-01'].host).toBe('cmp-01');
    expect(hook.payloads('fail')).toHaveLength(1);
  });

  it('cold-migrates with microversion 2.56 and confirms the resize', async () => {
    const a = action('cold-migrate', {
      instanceId: 'vm-01',
      fromHostId: 'cmp-01',
      toHostId: 'cmp-02',
    });
    const r = recorder();
    const done = executor.execute(a, r.listener);
    await waitFor('started', () => r.handles.length === 1);
    // Nova cannot cancel a cold migration: the operator is told, and the migration carries on.
    await expect(executor.abort(a.actionId)).rejects.toMatchObject({ code: 'unsupported' });
    expect(await done).toMatchObject({ status: 'succeeded' });
    const bodies = nova.compute('POST', '/servers/vm-01/action').map((q) => q.body);
    expect(bodies).toEqual([{ migrate: { host: 'cmp-02' } }, { confirmResize: null }]);
    expect(nova.compute('POST', '/servers/vm-01/action')[0].headers['openstack-api-version']).toBe(
      'compute 2.56',
    );
    expect(nova.servers['vm-01']).toMatchObject({ host: 'cmp-02', status: 'ACTIVE' });
  });

  it('disables and fences hosts through os-services, then evacuates', async () => {
    const listener = recorder().listener;
    const disable = action('set-host-status', { hostId: 'cmp-01', status: 'disabled' });
    expect(await executor.execute(disable, listener)).toMatchObject({ status: 'succeeded' });
    const [lookup] = nova.compute('GET', '/os-services');
    expect(lookup.query).toEqual({ binary: 'nova-compute', host: 'cmp-01' });
    const svc = nova.services[0];
    const [put] = nova.compute('PUT', `/os-services/${svc.id}`);
    expect(put.body).toEqual({
      status: 'disabled',
      disabled_reason: `reflex: disabled (action ${disable.actionId})`,
    });
    expect(put.headers['openstack-api-version']).toBe('compute 2.53');
    expect(await backend.inspect(disable)).toMatchObject({ state: 'succeeded' });

    const evacuate = action('evacuate', {
      instanceId: 'vm-01',
      fromHostId: 'cmp-01',
      toHostId: 'cmp-02',
    });
    await expect(backend.start(evacuate)).rejects.toMatchObject({
      code: 'invalid-state',
      retriable: false,
    });
    const fence = action('fence-host', { hostId: 'cmp-01' });
    expect(await executor.execute(fence, listener)).toMatchObject({ status: 'succeeded' });
    expect(nova.compute('PUT', `/os-services/${svc.id}`)[1].body).toEqual({ forced_down: true });
    expect(await executor.execute({ ...evacuate, actionId: 'ev-2' }, listener)).toMatchObject({
      status: 'succeeded',
    });
    expect(nova.compute('POST', '/servers/vm-01/action').at(-1)!.body).toEqual({
      evacuate: { host: 'cmp-02' },
    });
    expect(nova.servers['vm-01'].host).toBe('cmp-02');
  });

  it('re-authenticates on 401 and rides out a transient 503 while polling', async () => {
    nova.steps = 8;
    const r = recorder();
    const done = executor.execute(live(), r.listener);
    await waitFor('progress', () => r.progress().length > 0);
    nova.expireTokens();
    nova.failNext['GET /servers/vm-01/migrations'] = [503];
    expect(await done).toMatchObject({ status: 'succeeded' });
    expect(nova.requests.filter((q) => q.path === '/identity/v3/auth/tokens')).toHaveLength(2);
  });

  it('classifies errors honestly: 503 retriable, 409 not', async () => {
    nova.failNext['POST /servers/vm-01/action'] = [503];
    await expect(backend.start(live())).rejects.toMatchObject({
      code: 'backend-unavailable',
      retriable: true,
    });
    nova.servers['vm-01'].task = 'image_snapshot';
    await expect(backend.start(live())).rejects.toMatchObject({
      code: 'invalid-state',
      retriable: false,
    });
  });

  it('reconciles after a restart: a new backend finds the migration and never starts it twice', async () => {
    nova.liveMode = 'hang';
    const a = live();
    await backend.start(a);
    const restarted = makeBackend();
    const found = await restarted.inspect(a);
    expect(found).toMatchObject({ state: 'running', handle: { ref: { serverId: 'vm-01' } } });
    // A redelivered command on the new backend adopts Nova's migration instead of failing on 409.
    await restarted.start(a);
    await restarted.forceComplete(found.handle!);
    await waitFor(
      'success',
      async () => (await restarted.poll(found.handle!)).status === 'succeeded',
    );
    expect(await restarted.inspect(a)).toMatchObject({ state: 'succeeded' });
    expect(nova.migrations).toHaveLength(1);
  });
});
