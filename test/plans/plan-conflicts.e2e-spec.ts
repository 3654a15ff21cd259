import { DataSource } from 'typeorm';
import { waitFor } from '../support/wait-for';
import { hangMigrations, success } from '../support/driver-stand-in';
import {
  host,
  hostRef,
  instanceRef,
  intent,
  inventory,
  planSpec,
  vm,
} from './support/plan-fixtures';

describe('conflicts between plans: wait, merge, supersede (real Kafka, PostgreSQL)', () => {
  const ctx = planSpec();
  beforeEach(() => ctx.driver.use(hangMigrations));

  const releaseMigrations = async (planId: string) => {
    const plan = await ctx.getPlan(planId);
    for (const a of plan.actions.filter((x) => x.type === 'live-migrate')) {
      await ctx.driver.waitForCommand(`execute ${a.id}`, (c) => c.actionId === a.id);
      await ctx.driver.release(a.id, success());
    }
  };

  it('makes a lower-ranked decision wait for the live plan, then plans it when that one finishes', async () => {
    await seedInventory(
      [host('w1'), host('w2'), host('w3')],
      [vm('w-vm1', 'w1'), vm('w-vm2', 'w1')],
    );
    const drain = await ctx.createPlan(intent('host-drain', hostRef('w1')));
    expect(drain.state).toBe('running');

    const waiting = await ctx.createPlan(intent('migrate-off', instanceRef('w-vm1')));
    expect(waiting).toMatchObject({ planId: null, state: 'waiting' });
    expect(waiting.reason).toContain(`plan ${drain.planId} (host-drain) holds`);
    const [deferred] = await ctx.engine.app
      .get(DataSource)
      .query(`SELECT waiting_for, resolved_at FROM deferred_intents`);
    expect(deferred).toMatchObject({ waiting_for: [drain.planId], resolved_at: null });

    await releaseMigrations(drain.planId!);
    await ctx.waitForPlanState(drain.planId!, 'succeeded');
    const landed = (await ctx.currentInventory()).instances.find((i) => i.id === 'w-vm1')!;

    const resolved = await waitFor('the waiting decision to be planned', async () => {
      const [row] = await ctx.engine.app
        .get(DataSource)
        .query(`SELECT outcome, plan_id FROM deferred_intents WHERE resolved_at IS NOT NULL`);
      return row as { outcome: string; plan_id: string } | undefined;
    });
    expect(resolved.outcome).toBe('running');
    const later = await ctx.getPlan(resolved.plan_id);
    expect(later).toMatchObject({ policy: 'migrate-off', target: { id: 'w-vm1' } });
    expect(later.actions[0].params).toMatchObject({ fromHostId: landed.hostId });
    await releaseMigrations(later.id);
    await ctx.waitForPlanState(later.id, 'succeeded');
  });

  it('merges the same decision into the live plan', async () => {
    await seedInventory([host('y1'), host('y2')], [vm('y-vm1', 'y1')]);
    const first = await ctx.createPlan(intent('host-drain', hostRef('y1')));
    const again = await ctx.createPlan(
      intent('host-drain', hostRef('y1'), { alarm: { id: 'again', source: 'test', type: 'x' } }),
    );
    expect(again).toMatchObject({ planId: first.planId, state: 'merged' });
    const notes = (await ctx.timeline(first.planId!)).filter((e) => e.type === 'plan.note');
    expect(notes[0].detail).toMatchObject({ merged: { alarm: { id: 'again' } } });

    // A notification changes nothing: it runs beside the live plan on the same host.
    const notify = await ctx.createPlan(
      intent('notify', hostRef('y1'), { params: { message: 'hi', severity: 'info' } }),
    );
    await ctx.waitForPlanState(notify.planId!, 'succeeded');
    await releaseMigrations(first.planId!);
    await ctx.waitForPlanState(first.planId!, 'succeeded');
  });

  it('supersedes a lower-ranked plan: its running action is aborted, and the new plan moves that instance only once the abort is confirmed', async () => {
    await seedInventory([host('x1'), host('x2')], [vm('x-vm1', 'x1')]);
    const migrateOff = await ctx.createPlan(intent('migrate-off', hostRef('x1')));
    const migrate = (await ctx.getPlan(migrateOff.planId!)).actions[1];
    const execute = await ctx.driver.waitForCommand(
      'the migration',
      (c) => c.actionId === migrate.id,
    );

    ctx.driver.holdAborts = true;
    const failover = await ctx.createPlan(intent('host-failover', hostRef('x1')));
    expect(failover.reason).toContain('host-failover outranks migrate-off');
    const old = await ctx.waitForPlanState(migrateOff.planId!, 'superseded');
    expect(old.supersededBy).toBe(failover.planId);
    expect(old.actions.map((a) => a.state)).toEqual(['succeeded', 'running']);
    const abort = await ctx.driver.waitForCommand('the abort', (c) => c.kind === 'abort');
    expect(abort).toMatchObject({ actionId: migrate.id, attempt: execute.attempt });

    // Fence and mark down go ahead; the evacuation of the instance still migrating waits.
    const [, down, evacuate] = (await ctx.getPlan(failover.planId!)).actions;
    await waitFor('the host to be marked down', async () => {
      const plan = await ctx.getPlan(failover.planId!);
      return plan.actions.find((a) => a.id === down.id)?.state === 'succeeded';
    });
    expect(ctx.driver.of('execute', evacuate.id)).toEqual([]);
    const answeredAt = Date.now();
    ctx.driver.holdAborts = false;
    await ctx.driver.answerHeldAborts();

    const plan = await ctx.waitForPlanState(failover.planId!, 'succeeded');
    expect(plan.actions.map((a) => a.type)).toEqual(['fence-host', 'set-host-status', 'evacuate']);
    expect(ctx.driver.of('execute', evacuate.id)[0].receivedAt).toBeGreaterThanOrEqual(answeredAt);
    expect((await ctx.getPlan(old.id)).actions[1].state).toBe('aborted');
    expect((await ctx.currentInventory()).instances[0]).toMatchObject({ hostId: 'x2' });
    const supersede = (await ctx.timeline(old.id)).find((e) => e.to === 'superseded');
    expect(supersede?.detail).toMatchObject({ supersededBy: failover.planId });
  });

  it('serialises planning: two decisions racing for the last free host do not both get it', async () => {
    const small = { capacity: { vcpus: 4, memoryMb: 8192 } };
    await seedInventory(
      [host('z1', small), host('z2', small), host('z3', small)],
      [vm('z-vm1', 'z1'), vm('z-vm2', 'z2')],
    );
    const outcomes = await Promise.all([
      ctx.createPlan(intent('migrate-off', hostRef('z1'))),
      ctx.createPlan(intent('migrate-off', hostRef('z2'))),
    ]);
    expect(outcomes.map((o) => o.state).sort()).toEqual(['blocked', 'running']);
    const blocked = outcomes.find((o) => o.state === 'blocked')!;
    expect(blocked.reason).toMatch(/memory|capacity|no eligible/i);
    const running = outcomes.find((o) => o.state === 'running')!;
    await releaseMigrations(running.planId!);
    await ctx.waitForPlanState(running.planId!, 'succeeded');
  });

  const seedInventory = (...args: Parameters<typeof inventory>) => ctx.seed(inventory(...args));
});
