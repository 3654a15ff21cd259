// The live plans a planning batch reads, kept between batches (LivePlans), on a real PostgreSQL:
// a batch reads what `listLive` would read, whoever wrote the plans meanwhile (another
// transaction, a rolled-back one, the batch's own), and loads again only what changed.
import { buildPlan, type ExecutablePlan, planFromDraft } from '@reflex/domain';
import { createDataSource, runMigrations, UnitOfWork } from '@reflex/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  host,
  intent,
  inventory,
  NOW,
  PLANNING,
  vm,
} from '@reflex/domain/testing/topology.fixture';
import { LivePlans } from '../../apps/engine/src/planning/live-plans';
import { PlanRepository } from '../../apps/engine/src/plans/plan.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';

const CELL = 'c1';

/** A drain of `hostId` (two moves and its status), with uuid ids as the planner mints them. */
function drain(hostId: string): ExecutablePlan {
  const inv = inventory(
    [host(hostId), host(`${hostId}-spare`)],
    [vm(`${hostId}-vm1`, hostId), vm(`${hostId}-vm2`, hostId)],
  );
  const draft = buildPlan(
    intent('host-drain', { kind: 'host', id: hostId }),
    inv,
    { reservations: [] },
    PLANNING,
    () => randomUUID(),
  );
  return { ...planFromDraft(draft, NOW).plan, state: 'pending' };
}

describe('LivePlans', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: UnitOfWork;
  let repository: PlanRepository;
  let loaded: string[][];
  let live: LivePlans;

  beforeAll(async () => {
    db = await createTestDatabase('plans_live_plans');
    dataSource = await createDataSource(db.url, { logging: false }).initialize();
    await runMigrations(dataSource);
    uow = new UnitOfWork(dataSource);
    repository = new PlanRepository(uow);
    // Which plans each read loaded from the database (the rest came from the kept copies).
    const loadMany = repository.loadMany.bind(repository);
    repository.loadMany = (where, params, tail, withExplanation) => {
      if (Array.isArray(params[0])) loaded.push([...(params[0] as string[])].sort());
      return loadMany(where, params, tail, withExplanation);
    };
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });
  beforeEach(async () => {
    await dataSource.query('TRUNCATE plans CASCADE');
    loaded = [];
    live = new LivePlans(uow, repository);
  });

  const store = (plans: ExecutablePlan[]) =>
    uow.transaction(() =>
      repository.insertMany(plans.map((plan) => ({ plan, resources: [], cell: CELL }))),
    );
  /** What a batch reads, and what `listLive` reads in the same transaction. */
  const read = () =>
    uow.transaction(async () => ({
      kept: await live.of(CELL),
      listed: await repository.listLive(CELL),
    }));
  /** In the unit of work's transaction if one is open, else committed at once. */
  const setActionState = (actionId: string, state: string) =>
    uow.manager.query(`UPDATE actions SET state = $2 WHERE id = $1`, [actionId, state]);

  it('loads only the plans whose rows changed since the last read, and reads as listLive does', async () => {
    const [a, b, c] = [drain('h1'), drain('h2'), drain('h3')];
    await store([a, b, c]);
    let { kept, listed } = await read();
    expect(kept).toEqual(listed);
    expect(loaded).toEqual([[a.id, b.id, c.id].sort()]);

    loaded = [];
    ({ kept, listed } = await read());
    expect(kept).toEqual(listed);
    expect(loaded).toEqual([]);

    // Another transaction moves one of b's actions, finishes c and makes d.
    const d = drain('h4');
    await setActionState(b.actions[1].id, 'running');
    await dataSource.query(`UPDATE plans SET state = 'succeeded' WHERE id = $1`, [c.id]);
    await store([d]);
    loaded = [];
    ({ kept, listed } = await read());
    expect(kept).toEqual(listed);
    expect(kept.map((p) => p.id).sort()).toEqual([a.id, b.id, d.id].sort());
    expect(kept.find((p) => p.id === b.id)!.actions[1].state).toBe('running');
    expect(loaded).toEqual([[b.id, d.id].sort()]);
  });

  it('does not keep what its own transaction wrote: a rollback, or a second write, is read again', async () => {
    const a = drain('h1');
    await store([a]);
    await read();
    const action = a.actions[1].id;

    // Written, read, then rolled back: the next batch reads the stored state, not the written one.
    await expect(
      uow.transaction(async () => {
        await setActionState(action, 'running');
        const [seen] = await live.of(CELL);
        expect(seen.actions[1].state).toBe('running');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    let { kept, listed } = await read();
    expect(kept).toEqual(listed);
    expect(kept[0].actions[1].state).toBe('pending');

    // Written, read, written again under the same transaction, committed: the last write is read.
    await uow.transaction(async () => {
      await setActionState(action, 'running');
      await live.of(CELL);
      await setActionState(action, 'succeeded');
    });
    ({ kept, listed } = await read());
    expect(kept).toEqual(listed);
    expect(kept[0].actions[1].state).toBe('succeeded');
  });
});
