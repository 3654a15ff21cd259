// The driver on the simulator backend, driven only through Kafka and the simulator control API.
import { http } from '../support/http';
import { waitFor } from '../support/wait-for';
import { callsOf, simCloud, simControl, simMigrate, withKind } from './support/driver-harness';
import { driverSpec } from './support/driver-spec';

describe('driver on the simulator (Kafka in, Kafka out)', () => {
  // 600 MB at 1000 MB/s: 0.6 s per migration, several progress events at 100 ms.
  const ctx = driverSpec(() => ({ simulator: { bandwidthMbps: 1000 } }));
  let sim: ReturnType<typeof simControl>;
  const where = async (id: string) => (await sim.state()).instances.find((i) => i.id === id);

  beforeAll(async () => {
    sim = simControl(ctx.driver.url);
    await sim.seed(
      simCloud({ 'vm-ok': 600, 'vm-fail': 600, 'vm-abort': 600, 'vm-late': 600, 'vm-dup': 600 }),
    );
  });

  it('serves /healthz, /readyz (database and Kafka) and /metrics on its own port', async () => {
    expect((await http('GET', `${ctx.driver.url}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await http('GET', `${ctx.driver.url}/readyz`)).body).toEqual({
      status: 'ready',
      checks: { database: 'up', kafka: 'up' },
    });
    const metrics = await http<string>('GET', `${ctx.driver.url}/metrics`);
    expect(metrics.body).toContain('reflex_driver_actions_running');
  });

  it('executes a live migration: accepted, progress, succeeded; the VM is on the destination', async () => {
    const command = simMigrate('ok', 'vm-ok');
    const final = await ctx.run(command);
    expect(final).toMatchObject({ status: 'succeeded', progress: 100 });
    const statuses = ctx.log.statuses(command.actionId);
    expect(statuses[0]).toBe('accepted');
    const progress = ctx.log.of(command.actionId).filter((e) => e.status === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const percents = progress.map((e) => e.progress!);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(await where('vm-ok')).toMatchObject({ hostId: 'cmp-02', state: 'running' });
    expect(callsOf(await sim.calls(), command.actionId).map((c) => c.method)).toEqual(['start']);
  });

  it('fails: the error says whether to retry, the fail path cleans up, the fail hook runs', async () => {
    await sim.fault({ action: 'live-migrate', instanceId: 'vm-fail', effect: 'fail', count: 1 });
    const command = simMigrate('fail', 'vm-fail');
    const final = await ctx.run(command);
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'simulated-failure', retriable: expect.any(Boolean) },
      detail: { failPath: expect.arrayContaining([expect.stringContaining('cmp-02')]) },
    });
    expect(callsOf(await sim.calls(), command.actionId).map((c) => c.method)).toEqual([
      'start',
      'failPath',
    ]);
    expect(await where('vm-fail')).toMatchObject({ hostId: 'cmp-01', state: 'running' });
    expect(ctx.failHooks(command.actionId)).toEqual([
      expect.objectContaining({
        phase: 'fail',
        outcome: expect.objectContaining({ status: 'failed' }),
      }),
    ]);
  });

  it('aborts the running action on an abort command', async () => {
    await sim.fault({ action: 'live-migrate', instanceId: 'vm-abort', effect: 'hang', count: 1 });
    const command = simMigrate('abort', 'vm-abort');
    expect(await ctx.interrupt(command, 'abort')).toMatchObject({
      status: 'aborted',
      error: { code: 'aborted', retriable: false },
    });
    expect(callsOf(await sim.calls(), command.actionId).map((c) => c.method)).toEqual([
      'start',
      'abort',
      'failPath',
    ]);
    expect(await where('vm-abort')).toMatchObject({ hostId: 'cmp-01', state: 'running' });
    expect(ctx.failHooks(command.actionId).length).toBeGreaterThan(0);
  });

  it('enforces the deadline: aborts a hung migration and fails it with `timeout`', async () => {
    await sim.fault({ action: 'live-migrate', instanceId: 'vm-late', effect: 'hang', count: 1 });
    const command = simMigrate('late', 'vm-late', { deadlineMs: 1500 });
    expect(await ctx.run(command)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retriable: false },
    });
    expect(callsOf(await sim.calls(), command.actionId).map((c) => c.method)).toEqual([
      'start',
      'abort',
      'failPath',
    ]);
    expect(await where('vm-late')).toMatchObject({ hostId: 'cmp-01', state: 'running' });

    const past = simMigrate('past', 'vm-late', { deadlineMs: -1000 });
    expect(await ctx.run(past)).toMatchObject({ error: { code: 'timeout' } });
    expect(callsOf(await sim.calls(), past.actionId)).toEqual([]);
  });

  it('treats a duplicated command as a no-op and answers a late one from the record', async () => {
    const command = simMigrate('dup', 'vm-dup');
    await ctx.send(command, command);
    const first = await ctx.log.final(command.actionId);
    expect(first.status).toBe('succeeded');
    await ctx.drain(command.actionId);
    expect(ctx.log.finals(command.actionId)).toHaveLength(1);
    expect(ctx.log.statuses(command.actionId).filter((s) => s === 'accepted')).toHaveLength(1);

    await ctx.send(command);
    await ctx.drain(command.actionId);
    const finals = ctx.log.finals(command.actionId);
    expect(finals).toHaveLength(2);
    expect(finals[1]).toEqual(first);
    const calls = callsOf(await sim.calls(), command.actionId);
    expect(calls.map((c) => [c.method, c.outcome])).toEqual([['start', 'started']]);
  });

  it('answers an abort for an action it never accepted with a failed event saying why', async () => {
    const command = withKind(simMigrate('ghost', 'vm-ok'), 'abort');
    expect(await ctx.run(command)).toMatchObject({
      status: 'failed',
      error: { code: 'not-found', retriable: false },
    });
    // Recorded: a late execute of that attempt is answered the same way and never runs.
    await ctx.send(withKind(command, 'execute'));
    await waitFor('the recorded answer again', () => ctx.log.finals(command.actionId).length === 2);
    expect(callsOf(await sim.calls(), command.actionId)).toEqual([]);
  });

  it('validates the simulator control API like every other API', async () => {
    const bad = await http('PUT', `${ctx.driver.url}/v1/sim/state`, {
      hosts: [{ id: 'h' }],
      instances: [],
      groups: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details).toContainEqual(
      expect.objectContaining({ path: '/hosts/0/zone' }),
    );
    const fault = await http('POST', `${ctx.driver.url}/v1/sim/faults`, {
      action: 'x',
      effect: 'y',
    });
    expect(fault.status).toBe(400);
    expect(fault.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      '/action',
      '/effect',
    ]);
    expect((await http('DELETE', `${ctx.driver.url}/v1/sim/faults`)).status).toBe(204);
    expect((await http('GET', `${ctx.driver.url}/v1/sim/calls`)).body).toMatchObject({
      items: expect.any(Array),
      nextCursor: null,
    });

    // The document says what the routes take: the fault parseFault accepts, an Inventory v1.
    const doc = (await http('GET', `${ctx.driver.url}/docs-json`)).body;
    const body = (path: string, method: string) =>
      doc.paths[path][method].requestBody.content['application/json'].schema;
    expect(body('/v1/sim/faults', 'post')).toMatchObject({
      required: ['action', 'effect'],
      additionalProperties: false,
      properties: {
        effect: { enum: ['fail', 'hang', 'slow'] },
        action: { enum: expect.arrayContaining(['live-migrate', 'evacuate']) },
        count: { minimum: 1 },
      },
    });
    expect(body('/v1/sim/state', 'put').properties.hosts.items.required).toEqual(
      expect.arrayContaining(['id', 'zone', 'status', 'capacity']),
    );
    expect(doc.components.securitySchemes.bearer).not.toHaveProperty('bearerFormat');
  });
});
