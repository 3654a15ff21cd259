// bulkInsert on a real PostgreSQL: what it stores reads back as TypeORM's insert stored it (types,
// arrays, jsonb, dates, NULLs, defaults of the columns not written), serial ids follow the rows'
// order, and a row missing a column is refused rather than stored with a NULL.
import {
  ActionEntity,
  bulkInsert,
  createDataSource,
  OutboxMessageEntity,
  PlanEntity,
  PlanEventEntity,
  runMigrations,
} from '@reflex/persistence';
import { NOT_STARTED } from '@reflex/domain';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('bulkInsert', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('persistence_bulk_insert');
    dataSource = await createDataSource(db.url, { logging: false }).initialize();
    await runMigrations(dataSource);
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.drop();
  });

  const plan = (id: string, extra: Partial<PlanEntity> = {}): Partial<PlanEntity> => ({
    id,
    state: 'pending',
    policy: 'switch-over',
    mode: 'auto',
    targetKind: 'group',
    targetId: `g-${id.slice(0, 8)}`,
    triggerAlarmId: 'a1',
    triggerSource: 'test',
    triggerRule: 'rule "quoted", with \\ and ünïcode',
    triggerRuleVersion: 3,
    triggerRuleHash: 'h',
    reason: null,
    explanation: { nested: { list: [1, 'two', null], flag: true }, text: 'line\nbreak' },
    onFailure: 'rollback',
    resources: ['h1', 'i "1"', 'i,2'],
    cell: '',
    createdAt: new Date('2026-12-06T10:00:00.123Z'),
    startedAt: null,
    finishedAt: null,
    supersededBy: null,
    ...extra,
  });

  it('stores every type as the entity reads it back', async () => {
    const ids = [randomUUID(), randomUUID()];
    await bulkInsert(dataSource.manager, PlanEntity, [
      plan(ids[0]),
      plan(ids[1], { reason: 'why', resources: [] }),
    ]);
    const actionId = randomUUID();
    await bulkInsert(dataSource.manager, ActionEntity, [
      {
        id: actionId,
        planId: ids[0],
        seq: 1,
        type: 'switch-over',
        params: { groupId: 'g', fromInstanceId: 'i1', toInstanceId: 'i2' },
        dependsOn: [ids[1]],
        ...NOT_STARTED,
        compensationFor: null,
        unusableHostIds: [],
        deadline: new Date('2026-12-06T10:01:00.000Z'),
        hostIds: ['h1', 'h2'],
        createdAt: new Date('2026-12-06T10:00:00.123Z'),
      },
    ]);
    const [first, second] = await dataSource.manager.find(PlanEntity, {
      where: ids.map((id) => ({ id })),
      order: { reason: { direction: 'ASC', nulls: 'FIRST' } },
    });
    expect(first).toEqual(plan(ids[0]));
    expect(second).toMatchObject({ id: ids[1], reason: 'why', resources: [] });
    const action = await dataSource.manager.findOneByOrFail(ActionEntity, { id: actionId });
    expect(action).toMatchObject({
      params: { groupId: 'g', fromInstanceId: 'i1', toInstanceId: 'i2' },
      dependsOn: [ids[1]],
      hostIds: ['h1', 'h2'],
      deadline: new Date('2026-12-06T10:01:00.000Z'),
      // Not written: the column's default.
      askedAt: null,
    });
  });

  it('draws serial ids in the rows’ order and returns them in that order', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({
      topic: 'driver.commands',
      key: `k${i % 7}`,
      value: { n: i },
      headers: {},
    }));
    const returned = await bulkInsert<OutboxMessageEntity, { id: string }>(
      dataSource.manager,
      OutboxMessageEntity,
      rows,
      ['id'],
    );
    const stored = await dataSource.query<{ id: string; n: number; created: boolean }[]>(
      `SELECT id, (value->>'n')::int AS n, created_at IS NOT NULL AS created
         FROM outbox WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [returned.map((r) => r.id)],
    );
    expect(stored.map((r) => r.n)).toEqual(rows.map((_, i) => i));
    expect(stored.map((r) => r.id)).toEqual(returned.map((r) => r.id));
    expect(stored.every((r) => r.created)).toBe(true);
  });

  it('refuses a row without one of the columns, or with one more, and names it', async () => {
    const planId = randomUUID();
    await bulkInsert(dataSource.manager, PlanEntity, [plan(planId)]);
    const event = { planId, actionId: null, at: new Date(), type: 'plan.note', fromState: null };
    await expect(
      bulkInsert(dataSource.manager, PlanEventEntity, [
        { ...event, toState: null, detail: {} },
        { ...event, detail: {} },
      ]),
    ).rejects.toThrow('plan_events row 1 has no toState (null for NULL)');
    const extra = {
      ...event,
      toState: null,
      detail: {},
      note: 'dropped',
    } as Partial<PlanEventEntity>;
    await expect(
      bulkInsert(dataSource.manager, PlanEventEntity, [
        { ...event, toState: null, detail: {} },
        extra,
      ]),
    ).rejects.toThrow('plan_events row 1 has note, which row 0 has not');
    expect(await dataSource.manager.countBy(PlanEventEntity, { planId })).toBe(0);
  });
});
