// The planner keeps the inventory it read between plans while `inventory_version` says it holds.
// A kept copy that outlived a change would place instances on hosts by stale capacity, so each way
// the inventory changes must be seen: a committed change, the planning transaction's own change,
// and not a change that was rolled back.
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@reflex/persistence';
import { InventoryRepository } from '../../apps/engine/src/inventory/inventory.repository';
import { InventorySnapshots } from '../../apps/engine/src/inventory/inventory-snapshots';
import { startTestEngine, type TestEngine } from '../support/engine-app';
import { call, host, sampleInventory } from './inventory-test-kit';

describe('inventory snapshots for planning', () => {
  let engine: TestEngine;
  let dataSource: DataSource;
  let uow: UnitOfWork;
  let snapshots: InventorySnapshots;
  let repository: InventoryRepository;

  beforeAll(async () => {
    engine = await startTestEngine();
    dataSource = engine.app.get(DataSource);
    uow = engine.app.get(UnitOfWork);
    snapshots = engine.app.get(InventorySnapshots);
    repository = engine.app.get(InventoryRepository);
    expect((await call(engine, 'PUT', '/v1/inventory', sampleInventory())).status).toBe(200);
  });
  afterAll(() => engine?.close());

  const view = () => uow.transaction(() => snapshots.view());
  const statusOf = async (id: string) => (await view()).host(id)?.status;

  it('keeps the view while nothing changes, and reads again after a committed change', async () => {
    const first = await view();
    expect(await view()).toBe(first);
    const [one] = first.hosts();
    await repository.upsertHosts([{ ...one, status: 'disabled' }]);
    const after = await view();
    expect(after).not.toBe(first);
    expect(after.host(one.id)?.status).toBe('disabled');
    expect(await view()).toBe(after);
  });

  it("sees its own transaction's change, and keeps nothing of it once rolled back", async () => {
    const added = host('snapshot-new');
    const kept = await view();
    await uow
      .transaction(async () => {
        await repository.upsertHosts([added]);
        expect((await snapshots.view()).host(added.id)).toBeDefined();
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await view()).toBe(kept);
    expect(await statusOf(added.id)).toBeUndefined();
  });

  it('counts one transaction of many statements as one change', async () => {
    const before = await dataSource.query<{ version: string }[]>(
      'SELECT version FROM inventory_version',
    );
    await uow.transaction(async () => {
      await repository.upsertHosts([host('snap-a')]);
      await repository.upsertHosts([host('snap-b'), host('snap-c')]);
    });
    const after = await dataSource.query<{ version: string }[]>(
      'SELECT version FROM inventory_version',
    );
    expect(Number(after[0].version)).toBe(Number(before[0].version) + 1);
    expect((await view()).host('snap-c')).toBeDefined();
  });
});
