import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { resetDecisions } from '../support/database';
import { startTestEngine, TestEngine } from '../support/engine-app';
import { http } from '../support/http';
import { alarm, smallCloud } from '../support/topology';
import { waitFor } from '../support/wait-for';

const shipped = join(__dirname, '../../rules');

/**
 * Ids as operators hold them (issue 20, CONTRACT §8): an alarm is found by the id it was sent with,
 * and an alarm whose decision waited for another plan leads to the plan it got in the end.
 */
describe('alarms by the id they were sent with (real Kafka, PostgreSQL)', () => {
  let engine: TestEngine;
  let rulesDir: string;
  const get = (path: string) => http('GET', `${engine.url}${path}`);
  const post = (path: string, body?: unknown) => http('POST', `${engine.url}${path}`, body);
  const send = async (body: unknown) => {
    const res = await post('/v1/alarms', body);
    expect(res.status).toBe(202);
    return res.body.items[0];
  };

  beforeAll(async () => {
    // The shipped rules, with maintenance drains waiting for approval: a plan that holds a host
    // without starting, so that a second decision on it waits and is planned once it is cancelled.
    rulesDir = await mkdtemp(join(tmpdir(), 'reflex-ids-rules-'));
    for (const name of await readdir(shipped)) {
      if (!name.endsWith('.json')) continue;
      if (name !== 'host-maintenance-drain.rule.json') {
        await copyFile(join(shipped, name), join(rulesDir, name));
        continue;
      }
      const rule = JSON.parse(await readFile(join(shipped, name), 'utf8'));
      await writeFile(join(rulesDir, name), JSON.stringify({ ...rule, mode: 'manual' }));
    }
    engine = await startTestEngine({ RULES_DIR: rulesDir });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(rulesDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    const dataSource = engine.app.get(DataSource);
    await resetDecisions(async (sql) => ({ rows: await dataSource.query(sql) }));
    // A spare host: the drains below keep every host's failover possible (keepSurvivable).
    expect((await http('PUT', `${engine.url}/v1/inventory`, smallCloud(20, 1))).status).toBe(200);
  });

  it('finds an alarm by its sent id, by source when two sources share it, and by row id as before', async () => {
    const sentId = `smartd-cmp04-${Date.now()}`;
    const first = await send(alarm('host.hardware.degraded', 'host', 'cmp-04', { id: sentId }));
    const byId = await get(`/v1/alarms/${sentId}`);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ alarmId: sentId, source: 'test', planId: first.planId });

    const rowId = byId.body.id as string;
    expect((await get(`/v1/alarms/${rowId}`)).body).toMatchObject({ alarmId: sentId });

    await send(alarm('host.hardware.degraded', 'host', 'cmp-02', { id: sentId, source: 'smartd' }));
    const ambiguous = await get(`/v1/alarms/${sentId}`);
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.message).toContain('smartd, test');
    expect(ambiguous.body.error.details).toEqual({ sources: ['smartd', 'test'] });
    const bySource = await get(`/v1/alarms/${sentId}?source=smartd`);
    expect(bySource.status).toBe(200);
    expect(bySource.body).toMatchObject({ source: 'smartd', resource: { id: 'cmp-02' } });
    expect((await get(`/v1/alarms/${sentId}?source=nobody`)).status).toBe(404);
    expect((await get(`/v1/alarms/never-sent`)).status).toBe(404);
  });

  it('prefers the row id when a numeric sent id is also a row id, and ?source= reaches the sent one', async () => {
    const existing = await send(alarm('host.hardware.degraded', 'host', 'cmp-04'));
    const rowId = (await get(`/v1/alarms/${existing.id}`)).body.id as string;
    await send(alarm('host.hardware.degraded', 'host', 'cmp-02', { id: rowId, source: 'numeric' }));
    expect((await get(`/v1/alarms/${rowId}`)).body).toMatchObject({ alarmId: existing.id });
    expect((await get(`/v1/alarms/${rowId}?source=numeric`)).body).toMatchObject({
      alarmId: rowId,
      source: 'numeric',
    });
  });

  it('links an alarm whose decision waited to the plan it got once the holder finished', async () => {
    const drain = await send(alarm('host.maintenance.requested', 'host', 'cmp-04'));
    expect(drain.planId).toEqual(expect.any(String));
    expect((await get(`/v1/plans/${drain.planId}`)).body.state).toBe('pending_approval');

    const degraded = await send(alarm('host.hardware.degraded', 'host', 'cmp-04'));
    expect(degraded).toMatchObject({ disposition: 'triggered', planId: null });
    expect(degraded.reason).toContain(drain.planId);

    expect((await post(`/v1/plans/${drain.planId}/cancel`, { reason: 'not now' })).status).toBe(
      200,
    );
    const linked = await waitFor('the waiting alarm to get its plan', async () => {
      const res = await get(`/v1/alarms/${degraded.id}`);
      return res.body.planId ? res.body : undefined;
    });
    const plan = (await get(`/v1/plans/${linked.planId}`)).body;
    expect(plan).toMatchObject({
      policy: 'migrate-off',
      target: { id: 'cmp-04' },
      trigger: { alarmId: degraded.id, source: 'test' },
    });
  });

  it("keeps an approval's reason in the timeline and on the plan", async () => {
    const drain = await send(alarm('host.maintenance.requested', 'host', 'cmp-04'));
    const approved = await post(`/v1/plans/${drain.planId}/approve`, { reason: 'window agreed' });
    expect(approved.status).toBe(200);
    expect(approved.body.reason).toMatch(/approved by anonymous: window agreed$/);
    expect((await get(`/v1/plans/${drain.planId}`)).body.reason).toBe(approved.body.reason);
    const events = (await get(`/v1/plans/${drain.planId}/events`)).body.items;
    const approval = events.find((e: { to: string }) => e.to === 'pending');
    expect(approval.detail).toMatchObject({ approvedBy: 'anonymous', reason: 'window agreed' });
  });

  it('answers a maintenance request whose plan is blocked with 409 blocked and why; that plan can be cancelled', async () => {
    const solo = {
      hosts: [{ ...smallCloud().hosts[0], id: 'solo' }],
      groups: [],
      instances: [
        {
          ...smallCloud().instances[0],
          id: 'solo-vm',
          hostId: 'solo',
          groupId: undefined,
          role: undefined,
        },
      ],
    };
    expect((await http('PUT', `${engine.url}/v1/inventory`, solo)).status).toBe(200);
    const requested = await post('/v1/hosts/solo/maintenance', { reason: 'firmware' });
    expect(requested.status).toBe(409);
    expect(requested.body.error.message).toMatch(/^maintenance of host solo is blocked: .*solo-vm/);
    const { planId, planState, disposition } = requested.body.error.details;
    expect({ planState, disposition }).toEqual({ planState: 'blocked', disposition: 'triggered' });
    expect((await get(`/v1/plans/${planId}`)).body.state).toBe('blocked');
    const again = await post('/v1/hosts/solo/maintenance', { reason: 'firmware' });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ disposition: 'duplicate', planId });
    expect(again.body.error.message).toMatch(/is already firing .*is blocked: .*solo-vm/);

    const cancelled = await post(`/v1/plans/${planId}/cancel`, { reason: 'moved to Tuesday' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    const events = (await get(`/v1/plans/${planId}/events`)).body.items;
    expect(events.find((e: { to: string }) => e.to === 'cancelled').detail).toMatchObject({
      cancelledBy: 'anonymous',
      reason: 'moved to Tuesday',
    });
    expect((await post(`/v1/plans/${planId}/cancel`, {})).status).toBe(409);
  });

  it('reads the open maintenance request of a host with its plan, and refuses unknown request fields', async () => {
    const solo = {
      hosts: [{ ...smallCloud().hosts[0], id: 'solo2' }],
      groups: [],
      instances: [],
    };
    expect((await http('PUT', `${engine.url}/v1/inventory`, solo)).status).toBe(200);
    expect((await get('/v1/hosts/solo2/maintenance')).body).toEqual({
      hostId: 'solo2',
      open: false,
    });
    expect((await get('/v1/hosts/nowhere/maintenance')).status).toBe(404);

    const typo = await post('/v1/hosts/solo2/maintenance', {
      reason: 'psu',
      notBfore: '2030-01-01T00:00:00Z',
    });
    expect(typo.status).toBe(400);
    expect(typo.body.error.details).toEqual([
      { path: '/notBfore', message: 'is not a field of a maintenance request (reason, notBefore)' },
    ]);

    const requested = await post('/v1/hosts/solo2/maintenance', { reason: 'psu swap' });
    expect(requested.status).toBe(202);
    const open = (await get('/v1/hosts/solo2/maintenance')).body;
    expect(open).toEqual({
      hostId: 'solo2',
      open: true,
      alarm: { source: 'reflex-api', id: 'maintenance:solo2' },
      reason: 'psu swap',
      requestedAt: expect.any(String),
      notBefore: null,
      requestedBy: 'anonymous',
      disposition: 'triggered',
      planId: requested.body.planId,
      planState: 'pending_approval',
      planReason: null,
    });
    // Ended: no longer open.
    expect(
      (
        await http('DELETE', `${engine.url}/v1/hosts/solo2/maintenance`, undefined, {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(202);
    expect((await get('/v1/hosts/solo2/maintenance')).body).toEqual({
      hostId: 'solo2',
      open: false,
    });
  });
});
