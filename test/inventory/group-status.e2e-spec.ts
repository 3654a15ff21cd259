import type { GroupStatusV1 } from '@reflex/contracts';
import { UnitOfWork } from '@reflex/persistence';
import { DataSource } from 'typeorm';
import { InventoryService } from '../../apps/engine/src/inventory/inventory.service';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { call, group, host, sampleInventory, type Reply } from './inventory-test-kit';

describe('group status and degraded_since', () => {
  let engine: TestEngine;
  let dataSource: DataSource;
  let uow: UnitOfWork;
  let inventory: InventoryService;

  beforeAll(async () => {
    engine = await startTestEngine();
    dataSource = engine.app.get(DataSource);
    uow = engine.app.get(UnitOfWork);
    inventory = engine.app.get(InventoryService);
  });
  afterAll(() => engine?.close());

  beforeEach(async () => {
    expect((await call(engine, 'PUT', '/v1/inventory', sampleInventory())).status).toBe(200);
  });

  const status = async (id = 'db'): Promise<GroupStatusV1> => {
    const reply: Reply<GroupStatusV1> = await call(engine, 'GET', `/v1/groups/${id}/status`);
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const storedDegradedSince = async (id = 'db'): Promise<Date | null> => {
    const rows = await dataSource.query<{ degraded_since: Date | null }[]>(
      'SELECT degraded_since FROM groups WHERE id = $1',
      [id],
    );
    return rows[0].degraded_since;
  };
  const putHost = async (id: string, patch: Parameters<typeof host>[1]) =>
    expect((await call(engine, 'PUT', `/v1/hosts/${id}`, host(id, patch))).status).toBe(200);

  it('is redundant with every member healthy', async () => {
    expect(await status()).toEqual({
      healthyActive: 2,
      healthyStandby: 1,
      redundant: true,
      degradedSince: null,
      sharedFailureDomains: [],
    });
    expect(await storedDegradedSince()).toBeNull();
  });

  it("sets degraded_since when the standby's host goes down, keeps it, and clears it when it is back", async () => {
    const before = Date.now();
    await putHost('cmp-03', { zone: 'az2', labels: { rack: 'r7' }, status: 'down' });
    const degraded = await status();
    expect(degraded).toMatchObject({ healthyActive: 2, healthyStandby: 0, redundant: false });
    expect(Date.parse(degraded.degradedSince!)).toBeGreaterThanOrEqual(before - 1000);
    expect((await storedDegradedSince())?.toISOString()).toBe(degraded.degradedSince);

    // Losing an active as well keeps the original start of the degradation.
    await putHost('cmp-01', { status: 'maintenance' });
    expect(await status()).toEqual({
      healthyActive: 1,
      healthyStandby: 0,
      redundant: false,
      degradedSince: degraded.degradedSince,
      sharedFailureDomains: [],
    });

    await putHost('cmp-01', {});
    await putHost('cmp-03', { zone: 'az2', labels: { rack: 'r7' } });
    expect(await status()).toEqual({
      healthyActive: 2,
      healthyStandby: 1,
      redundant: true,
      degradedSince: null,
      sharedFailureDomains: [],
    });
    expect(await storedDegradedSince()).toBeNull();
  });

  it('reports a group with rack anti-affinity like any other', async () => {
    const db = sampleInventory().groups.find((g) => g.id === 'db')!;
    expect(
      (await call(engine, 'PUT', '/v1/groups/db', { ...db, antiAffinity: 'rack' })).status,
    ).toBe(200);
    expect(await status()).toEqual({
      healthyActive: 2,
      healthyStandby: 1,
      redundant: true,
      degradedSince: null,
      sharedFailureDomains: [],
    });
  });

  it('follows instance and group changes, deletions and whole-inventory replacement', async () => {
    const vm03 = sampleInventory().instances.find((i) => i.id === 'vm-03')!;
    await call(engine, 'PUT', '/v1/instances/vm-03', { ...vm03, state: 'error' });
    expect(await storedDegradedSince()).not.toBeNull();
    await call(engine, 'PUT', '/v1/instances/vm-03', vm03);
    expect(await storedDegradedSince()).toBeNull();

    // The group asks for more than it has.
    await call(engine, 'PUT', '/v1/groups/db', group('db', { standby: 2 }));
    expect(await status()).toMatchObject({ redundant: false });
    expect(await storedDegradedSince()).not.toBeNull();
    await call(engine, 'PUT', '/v1/groups/db', group('db'));
    expect(await storedDegradedSince()).toBeNull();

    // An instance that leaves the group degrades the group it left.
    await call(engine, 'PUT', '/v1/instances/vm-03', { ...vm03, groupId: null, role: null });
    expect(await status()).toMatchObject({ healthyStandby: 0, redundant: false });
    await call(engine, 'PUT', '/v1/inventory', sampleInventory());
    expect(await storedDegradedSince()).toBeNull();

    expect((await call(engine, 'DELETE', '/v1/hosts/cmp-02')).status).toBe(204);
    expect(await status()).toMatchObject({ healthyActive: 1, redundant: false });
    expect(await storedDegradedSince()).not.toBeNull();
  });

  it('applies the planner changes inside its transaction, and rolls back with it', async () => {
    // A failed transaction leaves neither the change nor the degradation behind.
    await expect(
      uow.transaction(async () => {
        await inventory.applyChanges([{ kind: 'host', id: 'cmp-01', set: { status: 'down' } }]);
        expect(await inventory.groupStatus('db')).toMatchObject({ redundant: false });
        throw new Error('planner failed');
      }),
    ).rejects.toThrow('planner failed');
    expect(await status()).toMatchObject({ redundant: true, degradedSince: null });
    expect((await call(engine, 'GET', '/v1/hosts/cmp-01')).body.status).toBe('up');

    // cmp-01 fails: its active is evacuated to cmp-03 and the standby there is promoted.
    await uow.transaction(() =>
      inventory.applyChanges([
        { kind: 'host', id: 'cmp-01', set: { status: 'down' } },
        {
          kind: 'instance',
          id: 'vm-01',
          set: { hostId: 'cmp-03', state: 'running', role: 'standby' },
        },
        { kind: 'instance', id: 'vm-03', set: { role: 'active' } },
      ]),
    );
    expect(await status()).toEqual({
      healthyActive: 2,
      healthyStandby: 1,
      redundant: true,
      degradedSince: null,
      // Redundant on paper only: the promoted active and the new standby share cmp-03.
      sharedFailureDomains: [
        { kind: 'host', id: 'cmp-03', members: ['vm-01', 'vm-03'] },
        { kind: 'rack', id: 'az2/r7', members: ['vm-01', 'vm-03'] },
        { kind: 'zone', id: 'az2', members: ['vm-01', 'vm-03'] },
      ],
    });
    expect((await call(engine, 'GET', '/v1/instances/vm-01')).body).toMatchObject({
      hostId: 'cmp-03',
      role: 'standby',
    });

    await uow.transaction(() =>
      inventory.applyChanges([
        { kind: 'instance', id: 'vm-01', set: { state: 'error' } },
        { kind: 'instance', id: 'gone', set: { state: 'running' } },
      ]),
    );
    expect(await status()).toMatchObject({ healthyStandby: 0, redundant: false });
    expect(await storedDegradedSince()).not.toBeNull();
  });

  it('answers 404 for the status of an unknown group', async () => {
    const reply = await call(engine, 'GET', '/v1/groups/nope/status');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('NOT_FOUND');
  });
});
