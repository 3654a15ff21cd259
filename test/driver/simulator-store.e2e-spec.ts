// The simulated cloud's rows in PostgreSQL (PgSimulatorStore): group commit, two replicas sharing
// one cloud, a throwing mutation in a batch, seeds, pruning, and the migration from the old
// one-document table and back.
import { createDataSource, runMigrations } from '@reflex/persistence';
import { SimulatorRows1795300000000 } from '@reflex/persistence/migrations/1795300000000-simulator-rows';
import { DataSource } from 'typeorm';
import type { BackendAction } from '../../apps/driver/src/backends/backend.port';
import { SimulatorBackend } from '../../apps/driver/src/backends/simulator/simulator.backend';
import { PgSimulatorStore } from '../../apps/driver/src/backends/simulator/pg-simulator.store';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { simCloud } from './support/driver-harness';

const move = (
  actionId: string,
  instanceId: string,
  toHostId = 'cmp-02',
  fromHostId = 'cmp-01',
): BackendAction => ({
  actionId,
  attempt: 1,
  type: 'live-migrate',
  params: { instanceId, fromHostId, toHostId },
  deadline: '2099-01-01T00:00:00.000Z',
});

describe('the simulated cloud in PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let now: number;
  const clock = () => now;

  const replica = async () => {
    const store = new PgSimulatorStore(dataSource, { bandwidthMbps: 100 });
    await store.ensure();
    return { store, backend: new SimulatorBackend(store, clock) };
  };
  const version = async () =>
    Number(
      (await dataSource.query<{ version: string }[]>(`SELECT version FROM simulator_meta`))[0]
        .version,
    );

  beforeAll(async () => {
    db = await createTestDatabase('simulator_store');
    dataSource = await createDataSource(db.url, { applicationName: 'reflex-test' }).initialize();
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    now = 1_000_000;
    const { backend } = await replica();
    await backend.seed(simCloud({ 'vm-a': 1000, 'vm-b': 1000, 'vm-c': 0 }));
  });

  it('group-commits concurrent calls: every one takes effect, in far fewer writes', async () => {
    const { backend } = await replica();
    await backend.seed(
      simCloud(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`vm-${i}`, 0]))),
    );
    const before = await version();
    const handles = await Promise.all(
      Array.from({ length: 200 }, (_, i) => backend.start(move(`act-${i}`, `vm-${i}`))),
    );
    const writes = (await version()) - before;
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(20);
    // Zero memory: done at start; every poll sees it done, and a fresh replica sees the moves.
    const polls = await Promise.all(handles.map((h) => backend.poll(h)));
    expect(new Set(polls.map((p) => p.status))).toEqual(new Set(['succeeded']));
    const cloud = await (await replica()).backend.snapshot();
    expect(cloud.instances.every((i) => i.hostId === 'cmp-02' && i.state === 'running')).toBe(true);
    const starts = (await backend.calls()).filter((c) => c.method === 'start');
    expect(starts).toHaveLength(200);
    expect(new Set(starts.map((c) => c.outcome))).toEqual(new Set(['started']));
  });

  it('lets two replicas share one cloud: one start wins, each sees what the other did', async () => {
    const a = await replica();
    const b = await replica();
    // Both read the cloud first, so both copies are current before they race.
    await Promise.all([a.backend.snapshot(), b.backend.snapshot()]);
    const results = await Promise.allSettled([
      a.backend.start(move('race-1', 'vm-a')),
      b.backend.start(move('race-2', 'vm-a', 'cmp-03')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    // The loser wrote nothing, read the winner's change and was refused on it.
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'invalid-state', message: expect.stringContaining('vm-a is migrating') },
    });
    const winner = won[0].status === 'fulfilled' ? won[0].value : null;
    now += 4_000;
    // The other replica polls the winner's operation: 400 of 1000 MB at 100 MB/s.
    const other = winner!.actionId === 'race-1' ? b : a;
    expect(await other.backend.poll(winner!)).toMatchObject({ status: 'running', progress: 40 });
    now += 6_000;
    const owner = other === a ? b : a;
    expect(await owner.backend.poll(winner!)).toMatchObject({ status: 'succeeded' });
    expect((await other.backend.snapshot()).instances.find((i) => i.id === 'vm-a')).toMatchObject({
      state: 'running',
      hostId: winner!.actionId === 'race-1' ? 'cmp-02' : 'cmp-03',
    });
  });

  it('saves nothing of a mutation that throws, and everything of the others in its batch', async () => {
    const { store, backend } = await replica();
    const results = await Promise.allSettled([
      backend.start(move('kept-1', 'vm-a')),
      store.update((state) => {
        state.instances['vm-b'].state = 'error';
        throw new Error('half-way');
      }),
      backend.start(move('kept-2', 'vm-c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const cloud = await (await replica()).backend.snapshot();
    expect(cloud.instances.find((i) => i.id === 'vm-b')?.state).toBe('running');
    expect(cloud.instances.find((i) => i.id === 'vm-a')?.state).toBe('migrating');
    expect(cloud.instances.find((i) => i.id === 'vm-c')?.hostId).toBe('cmp-02');
  });

  it('replaces the whole cloud on a seed, for every replica', async () => {
    const a = await replica();
    const b = await replica();
    await b.backend.start(move('seeded-away', 'vm-a'));
    await a.backend.seed(simCloud({ 'vm-new': 0 }));
    const cloud = await b.backend.snapshot();
    expect(cloud.instances.map((i) => i.id)).toEqual(['vm-new']);
    // The operation in flight went with the old cloud.
    expect(await b.backend.inspect(move('seeded-away', 'vm-a'))).toEqual({ state: 'not-started' });
  });

  it("prunes finished operations once their driver action's final event is old", async () => {
    const { store, backend } = await replica();
    const done = await backend.start(move('pruned', 'vm-c'));
    const running = await backend.start(move('kept', 'vm-a'));
    for (const h of [done, running]) {
      await dataSource.query(
        `INSERT INTO driver_actions (action_id, attempt, plan_id, type, params, deadline, backend,
           status, final_event, finished_at)
         VALUES ($1, 1, 'p', 'live-migrate', '{}', now(), 'simulator', 'succeeded', '{}',
           now() - interval '1 hour')`,
        [h.actionId],
      );
    }
    expect(await store.prune(60_000)).toMatchObject({ operations: 1 });
    const keys = await dataSource.query<{ key: string }[]>(
      `SELECT key FROM simulator_operations ORDER BY key`,
    );
    expect(keys.map((k) => k.key)).toEqual(['kept#1']);
    // Still running: polled as before.
    expect(await backend.poll(running)).toMatchObject({ status: 'running' });
    await dataSource.query(`DELETE FROM driver_actions`);
  });

  // Found in review: prune deleted rows without moving the version, so a replica that was idle
  // while another finished an operation never learnt it had finished, and "completed" it later.
  it('never lets an idle replica complete again an operation another replica finished and prune removed', async () => {
    const idle = await replica();
    const busy = await replica();
    const first = await busy.backend.start(move('first', 'vm-a'));
    // The idle replica reads the cloud while the first migration runs (1,000 MB at 100 MB/s).
    expect(await idle.backend.poll(first)).toMatchObject({ status: 'running' });
    now += 11_000;
    expect(await busy.backend.poll(first)).toMatchObject({ status: 'succeeded' });
    const second = await busy.backend.start(move('second', 'vm-a', 'cmp-03', 'cmp-02'));
    now += 11_000;
    expect(await busy.backend.poll(second)).toMatchObject({ status: 'succeeded' });
    await dataSource.query(
      `INSERT INTO driver_actions (action_id, attempt, plan_id, type, params, deadline, backend,
         status, final_event, finished_at)
       SELECT a, 1, 'p', 'live-migrate', '{}', now(), 'simulator', 'succeeded', '{}',
         now() - interval '1 hour' FROM unnest(ARRAY['first', 'second']) a`,
    );
    expect(await busy.store.prune(60_000)).toMatchObject({ operations: 2 });
    // Had the idle copy kept the first migration running, its next call would finish it and move
    // vm-a back to cmp-02.
    await idle.backend.start(move('other', 'vm-c'));
    const cloud = await (await replica()).backend.snapshot();
    expect(cloud.instances.find((i) => i.id === 'vm-a')).toMatchObject({
      hostId: 'cmp-03',
      state: 'running',
    });
    await dataSource.query(`DELETE FROM driver_actions`);
  });

  it('carries the cloud over from the one-document table and back', async () => {
    const { backend } = await replica();
    await backend.start(move('carried', 'vm-a'));
    const before = await backend.snapshot();
    const migration = new SimulatorRows1795300000000();
    const runner = dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      const [doc] = (await runner.query(`SELECT state FROM simulator_state WHERE id = 1`)) as {
        state: { operations: Record<string, unknown>; calls: { actionId: string }[] };
      }[];
      expect(Object.keys(doc.state.operations)).toEqual(['carried#1']);
      expect(doc.state.calls.map((c) => c.actionId)).toContain('carried');
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const after = (await replica()).backend;
    expect(await after.snapshot()).toEqual(before);
    expect(await after.inspect(move('carried', 'vm-a'))).toMatchObject({ state: 'running' });
  });
});
