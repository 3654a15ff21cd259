import {
  ActionEntity,
  AlarmEntity,
  createDataSource,
  UnitOfWork,
  isUniqueViolation,
  OutboxRepository,
  PlanEntity,
  PlanEventEntity,
  ProcessedMessageRepository,
  runMigrations,
  type OutboxRecord,
} from '@reflex/persistence';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { waitFor } from '../support/wait-for';

/**
 * Runs `work` in a transaction and keeps that transaction open, with its locks, until the test
 * calls `commit`: the way to stage a second relay or consumer running at the same moment.
 */
function openTransaction<T>(
  uow: UnitOfWork,
  work: () => Promise<T>,
): { result: Promise<T>; commit: () => void; done: Promise<void> } {
  let commit!: () => void;
  const held = new Promise<void>((resolve) => (commit = resolve));
  let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };
  const result = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  const done = uow.transaction(async () => {
    try {
      settle.resolve(await work());
    } catch (error) {
      settle.reject(error);
      throw error;
    }
    await held;
  });
  return { result, commit, done };
}

function plan(overrides: Partial<PlanEntity> = {}): Partial<PlanEntity> {
  return {
    id: randomUUID(),
    state: 'running',
    policy: 'host-failover',
    mode: 'auto',
    targetKind: 'host',
    targetId: 'cmp-01',
    triggerAlarmId: 'aodh-1',
    triggerSource: 'aodh',
    triggerRule: 'host-down-failover',
    triggerRuleVersion: 1,
    triggerRuleHash: 'sha256:abc',
    resources: ['cmp-01', 'vm-01'],
    ...overrides,
  };
}

describe('persistence repositories', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: UnitOfWork;

  beforeAll(async () => {
    db = await createTestDatabase('persistence_repositories');
    dataSource = await createDataSource(db.url, { logging: false }).initialize();
    uow = new UnitOfWork(dataSource);
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  describe('OutboxRepository', () => {
    let outbox: OutboxRepository;
    beforeAll(() => (outbox = new OutboxRepository(uow)));
    beforeEach(() => dataSource.query('TRUNCATE outbox'));

    it('publishes what committed transactions enqueued, in order, once', async () => {
      const ids = await uow.transaction(() =>
        outbox.enqueue([
          { topic: 'driver.commands', key: 'a-1', value: { kind: 'execute' } },
          { topic: 'plans', key: null, value: 'a JSON string', headers: { 'x-v': '1' } },
        ]),
      );
      await uow
        .transaction(async () => {
          await outbox.enqueue({ topic: 'plans', key: 'p-9', value: { lost: true } });
          throw new Error('roll back');
        })
        .catch(() => undefined);

      const published: OutboxRecord[] = [];
      await expect(
        outbox.publishBatch(10, async (batch) => void published.push(...batch)),
      ).resolves.toBe(2);
      expect(published.map((m) => m.id)).toEqual(ids);
      expect(published[0]).toMatchObject({
        topic: 'driver.commands',
        key: 'a-1',
        value: { kind: 'execute' },
        headers: {},
      });
      expect(published[1]).toMatchObject({
        key: null,
        value: 'a JSON string',
        headers: { 'x-v': '1' },
      });
      expect(published[0].createdAt).toBeInstanceOf(Date);

      await expect(outbox.publishBatch(10, async () => undefined)).resolves.toBe(0);
    });

    it('keeps a batch unpublished when publishing fails', async () => {
      await uow.transaction(() => outbox.enqueue({ topic: 't', key: 'k', value: 1 }));
      const failing = outbox.publishBatch(10, () => Promise.reject(new Error('broker down')));
      await expect(failing).rejects.toThrow('broker down');
      await expect(outbox.publishBatch(10, async () => undefined)).resolves.toBe(1);
    });

    it('lets relays share the backlog without reordering a key', async () => {
      const [k1, k2, other] = await uow.transaction(() =>
        outbox.enqueue([
          { topic: 't', key: 'k', value: 1 },
          { topic: 't', key: 'k', value: 2 },
          { topic: 't', key: 'other', value: 3 },
        ]),
      );
      // Relay A holds k's first message; relay B may take `other` but not k's second.
      const a = openTransaction(uow, () => outbox.claimBatch(1));
      expect((await a.result).map((r) => r.id)).toEqual([k1]);
      const b = await uow.transaction(() => outbox.claimBatch(10));
      expect(b.map((r) => r.id)).toEqual([other]);
      a.commit();
      await a.done;
      // A never marked k1 published (it only claimed it), so one relay now takes k in order.
      const c = await uow.transaction(() => outbox.claimBatch(10));
      expect(c.map((r) => r.id)).toEqual([k1, k2, other]);
    });

    it('refuses to claim outside a transaction', async () => {
      await expect(outbox.claimBatch(1)).rejects.toThrow(/transaction/);
    });
  });

  describe('ProcessedMessageRepository', () => {
    let ledger: ProcessedMessageRepository;
    beforeAll(() => (ledger = new ProcessedMessageRepository(uow)));

    it('answers true the first time a consumer sees a message, false after', async () => {
      const mark = (consumer: string, id: string) =>
        uow.transaction(() => ledger.markProcessed(consumer, id));
      await expect(mark('engine.alarms', 'm-1')).resolves.toBe(true);
      await expect(mark('engine.alarms', 'm-1')).resolves.toBe(false);
      await expect(mark('engine.driver-events', 'm-1')).resolves.toBe(true);
    });

    it('forgets a message whose transaction rolled back', async () => {
      await uow
        .transaction(async () => {
          expect(await ledger.markProcessed('c', 'm-2')).toBe(true);
          throw new Error('effects failed');
        })
        .catch(() => undefined);
      await expect(uow.transaction(() => ledger.markProcessed('c', 'm-2'))).resolves.toBe(true);
    });

    it('makes a concurrent duplicate wait for the first and then say false', async () => {
      const first = openTransaction(uow, () => ledger.markProcessed('c', 'm-3'));
      await expect(first.result).resolves.toBe(true);
      const second = uow.transaction(() => ledger.markProcessed('c', 'm-3'));
      await waitFor('the duplicate to wait on the first transaction', async () => {
        const waiting = await dataSource.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return waiting.length === 1;
      });
      first.commit();
      await first.done;
      await expect(second).resolves.toBe(false);
    });
  });

  describe('schema rules', () => {
    it('stores a plan with its actions and timeline, in snake_case', async () => {
      const p = plan({ targetId: 'cmp-10', explanation: { rule: 'x' } });
      const actionId = randomUUID();
      await dataSource.transaction(async (m) => {
        await m.insert(PlanEntity, p);
        await m.insert(ActionEntity, {
          id: actionId,
          planId: p.id,
          seq: 1,
          type: 'live-migrate',
          params: { instanceId: 'vm-01', fromHostId: 'cmp-10', toHostId: 'cmp-11' },
          hostIds: ['cmp-10', 'cmp-11'],
        });
        await m.insert(PlanEventEntity, {
          planId: p.id,
          actionId,
          type: 'action.state',
          toState: 'pending',
        });
      });

      const loaded = await dataSource.getRepository(PlanEntity).findOneOrFail({
        where: { id: p.id },
        relations: { actions: true },
      });
      expect(loaded).toMatchObject({
        onFailure: 'rollback',
        explanation: { rule: 'x' },
        resources: ['cmp-01', 'vm-01'],
      });
      expect(loaded.actions?.[0]).toMatchObject({
        state: 'pending',
        attempts: 0,
        progress: 0,
        dependsOn: [],
      });
      const [row] = await dataSource.query(`SELECT * FROM actions WHERE 'cmp-11' = ANY(host_ids)`);
      expect(row).toMatchObject({ plan_id: p.id, seq: 1, type: 'live-migrate' });
    });

    it('allows one live plan per target', async () => {
      const plans = dataSource.getRepository(PlanEntity);
      const first = plan({ targetId: 'cmp-20' });
      await plans.insert(first);
      await plans.insert(plan({ targetId: 'cmp-20', state: 'blocked' }));

      const second = plans.insert(plan({ targetId: 'cmp-20', state: 'pending_approval' }));
      const error = await second.catch((e: unknown) => e);
      expect(isUniqueViolation(error, 'uq_plans_live_target')).toBe(true);

      await plans.update({ id: first.id }, { state: 'superseded' });
      await expect(
        plans.insert(plan({ targetId: 'cmp-20', state: 'pending' })),
      ).resolves.toBeDefined();
    });

    it('refuses to rewrite the plan timeline', async () => {
      const p = plan({ targetId: 'cmp-30' });
      await dataSource.getRepository(PlanEntity).insert(p);
      await dataSource.getRepository(PlanEventEntity).insert({ planId: p.id, type: 'plan.state' });
      await expect(dataSource.query(`UPDATE plan_events SET type = 'forged'`)).rejects.toThrow(
        /append-only/,
      );
    });

    it('records an alarm message once however often it is delivered', async () => {
      const alarm = {
        source: 'aodh',
        alarmId: 'aodh-77',
        type: 'host.down',
        state: 'firing' as const,
        resourceKind: 'host' as const,
        resourceId: 'cmp-40',
        occurredAt: new Date('2026-11-20T10:00:00Z'),
        payload: { id: 'aodh-77' },
      };
      const insert = () =>
        dataSource
          .createQueryBuilder()
          .insert()
          .into(AlarmEntity)
          .values(alarm)
          .orIgnore()
          .returning(['id'])
          .execute();
      expect((await insert()).raw).toHaveLength(1);
      expect((await insert()).raw).toHaveLength(0);
      const renotified = { ...alarm, occurredAt: new Date('2026-11-20T10:05:00Z') };
      await dataSource
        .getRepository(AlarmEntity)
        .insert({ ...renotified, disposition: 'duplicate' });
      expect(await dataSource.getRepository(AlarmEntity).countBy({ alarmId: 'aodh-77' })).toBe(2);
    });
  });
});
