import { UnitOfWork } from '@reflex/persistence';
import { PlanningService } from '../../apps/engine/src/planning/planning.service';
import { waitFor } from '../support/wait-for';
import { fail, hangMigrations, succeed, success } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, vm } from './support/plan-fixtures';

describe('operating plans over REST: approve, cancel, abort, force-complete, rollback', () => {
  const ctx = planSpec();
  beforeEach(() => ctx.driver.use(succeed()));

  const post = (path: string, body?: unknown) => ctx.call('POST', path, body);

  it('holds a manual plan for approval, runs it once approved, and refuses to approve it again', async () => {
    await ctx.seed(inventory([host('a1'), host('a2')], [vm('a-vm1', 'a1')]));
    const outcome = await ctx.createPlan(intent('migrate-off', hostRef('a1'), { mode: 'manual' }));
    expect(outcome.state).toBe('pending_approval');
    expect(ctx.driver.executes(outcome.planId!)).toEqual([]);

    ctx.driver.use(hangMigrations);
    const approved = await post(`/v1/plans/${outcome.planId}/approve`, { by: 'alice' });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toBe('running');
    const migrate = approved.body.actions[1] as { id: string };
    await ctx.driver.waitForCommand('the migration', (c) => c.actionId === migrate.id);

    const again = await post(`/v1/plans/${outcome.planId}/approve`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT' });
    expect(again.body.error.message).toContain('is running');

    await ctx.driver.release(migrate.id, success());
    await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(await ctx.planStates(outcome.planId!)).toEqual([
      'pending_approval',
      'pending',
      'running',
      'succeeded',
    ]);
    const approval = (await ctx.timeline(outcome.planId!)).find((e) => e.to === 'pending');
    // Authentication is off here: the actor is `anonymous`, what the body said is a note.
    expect(approval?.detail).toEqual({ approvedBy: 'anonymous', note: 'alice' });
    expect((await ctx.call('GET', '/v1/plans/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await post('/v1/plans/not-a-plan/approve')).status).toBe(404);
  });

  it('cancels a plan waiting for approval, and a running one (its running action aborted)', async () => {
    await ctx.seed(
      inventory([host('c1'), host('c2'), host('c3')], [vm('c-vm1', 'c1'), vm('c-vm2', 'c3')]),
    );
    const manual = await ctx.createPlan(intent('migrate-off', hostRef('c1'), { mode: 'manual' }));
    const cancelled = await post(`/v1/plans/${manual.planId}/cancel`, {
      by: 'bob',
      reason: 'not now',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect(cancelled.body.actions.map((a: { state: string }) => a.state)).toEqual([
      'skipped',
      'skipped',
    ]);
    expect((await post(`/v1/plans/${manual.planId}/cancel`)).status).toBe(409);

    ctx.driver.use(hangMigrations);
    const running = await ctx.createPlan(intent('host-drain', hostRef('c3')));
    const plan = await ctx.getPlan(running.planId!);
    const migrate = plan.actions.find((a) => a.type === 'live-migrate')!;
    await ctx.driver.waitForCommand('the migration', (c) => c.actionId === migrate.id);
    const res = await post(`/v1/plans/${running.planId}/cancel`);
    expect(res.body.state).toBe('cancelled');
    await ctx.driver.waitForCommand(
      'the abort',
      (c) => c.kind === 'abort' && c.actionId === migrate.id,
    );
    await waitFor('the migration to be aborted', async () => {
      const p = await ctx.getPlan(running.planId!);
      return p.actions.find((a) => a.id === migrate.id)?.state === 'aborted';
    });
    const after = await ctx.getPlan(running.planId!);
    expect(after.actions.map((a) => a.state)).toEqual(['succeeded', 'aborted', 'skipped']);
  });

  it('sends abort and force-complete for a running live migration, and refuses them otherwise', async () => {
    await ctx.seed(inventory([host('o1'), host('o2')], [vm('o-vm1', 'o1'), vm('o-vm2', 'o1')]));
    ctx.driver.use(hangMigrations);
    const outcome = await ctx.createPlan(
      intent('migrate-off', hostRef('o1'), { onFailure: 'continue' }),
    );
    const plan = await ctx.getPlan(outcome.planId!);
    const [disable, first, second] = plan.actions;
    for (const a of [first, second])
      await ctx.driver.waitForCommand(`migration ${a.id}`, (c) => c.actionId === a.id);

    const running = await ctx.call('GET', '/v1/actions?type=live-migrate&state=running&host=o1');
    expect(running.body.items.map((a: { id: string }) => a.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );

    const forced = await post(`/v1/actions/${first.id}/force-complete`, { by: 'carol' });
    expect(forced.status).toBe(202);
    expect(
      await ctx.driver.waitForCommand('force-complete', (c) => c.kind === 'force-complete'),
    ).toMatchObject({
      actionId: first.id,
      attempt: 1,
    });
    const aborted = await post(`/v1/actions/${second.id}/abort`);
    expect(aborted.status).toBe(202);
    await ctx.driver.waitForCommand('abort', (c) => c.kind === 'abort' && c.actionId === second.id);

    const done = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(done.actions.map((a) => a.state)).toEqual(['succeeded', 'succeeded', 'aborted']);
    expect((await post(`/v1/actions/${disable.id}/force-complete`)).status).toBe(409);
    expect((await post(`/v1/actions/${second.id}/abort`)).status).toBe(409);
    expect((await post('/v1/actions/00000000-0000-4000-8000-000000000000/abort')).status).toBe(404);
  });

  it('fails an action the driver never reported on by its deadline, and tells the driver to abort it', async () => {
    await ctx.seed(inventory([host('e1'), host('e2')], [vm('e-vm1', 'e1')]));
    ctx.driver.use((c) => (c.type === 'live-migrate' ? 'silent' : succeed()(c)));
    const outcome = await ctx.createPlan(
      intent('migrate-off', hostRef('e1'), { onFailure: 'stop' }),
    );
    const migrate = (await ctx.getPlan(outcome.planId!)).actions[1];
    await ctx.driver.waitForCommand('the migration', (c) => c.actionId === migrate.id);
    // As if two hours had passed: the live-migrate deadline (30 min) and its grace are long gone.
    await ctx.agePastDeadline(migrate.id);
    const failed = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(failed.actions[1]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.actions[1].error).toContain('by the deadline');
    await ctx.driver.waitForCommand(
      'the abort',
      (c) => c.kind === 'abort' && c.actionId === migrate.id,
    );
  });

  it('cancels through the intake gateway only a plan that has not started', async () => {
    await ctx.seed(inventory([host('i1'), host('i2')], [vm('i-vm1', 'i1')]));
    const planning = ctx.engine.app.get(PlanningService);
    const db = ctx.engine.app.get(UnitOfWork);
    const manual = await ctx.createPlan(intent('migrate-off', hostRef('i1'), { mode: 'manual' }));
    const cancel = (id: string) =>
      db.transaction(() =>
        planning.batch((batch) => batch.cancelIfNotStarted(id, 'alarm resolved')),
      );
    await expect(cancel(manual.planId!)).resolves.toBe(true);
    expect((await ctx.getPlan(manual.planId!)).state).toBe('cancelled');
    const auto = await ctx.createPlan(intent('migrate-off', hostRef('i1')));
    await ctx.waitForPlanState(auto.planId!, 'succeeded');
    await expect(cancel(auto.planId!)).resolves.toBe(false);
  });

  it('rolls back: compensates what succeeded, most recent first, and the inventory is as before', async () => {
    await ctx.seed(
      inventory(
        [host('k1'), host('k2'), host('k3')],
        [vm('k-vm1', 'k1'), vm('k-vm2', 'k1', { resources: { vcpus: 2, memoryMb: 4096 } })],
      ),
    );
    const before = await ctx.currentInventory();
    // k-vm1's migration succeeds, k-vm2's fails for good.
    ctx.driver.use((c) =>
      c.type === 'live-migrate' && 'instanceId' in c.params && c.params.instanceId === 'k-vm2'
        ? fail('DISK_ERROR', false)
        : succeed()(c),
    );
    const outcome = await ctx.createPlan(intent('migrate-off', hostRef('k1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'rolled_back', 30_000);

    const originals = plan.actions.filter((a) => a.compensationFor === null);
    const compensations = plan.actions.filter((a) => a.compensationFor !== null);
    const succeededOriginals = originals
      .filter((a) => a.state === 'compensated')
      .sort((a, b) => b.finishedAt!.localeCompare(a.finishedAt!) || b.seq - a.seq);
    expect(succeededOriginals.map((a) => a.type)).toEqual(['live-migrate', 'set-host-status']);
    // One compensation per succeeded original, executed strictly in reverse order of completion.
    const executed = ctx.driver
      .executes(plan.id)
      .filter((c) => compensations.some((x) => x.id === c.actionId))
      .map((c) => compensations.find((x) => x.id === c.actionId)!.compensationFor);
    expect(executed).toEqual(succeededOriginals.map((a) => a.id));
    expect(compensations.every((c) => c.state === 'succeeded')).toBe(true);
    expect(await ctx.planStates(plan.id)).toEqual([
      'pending',
      'running',
      'rolling_back',
      'rolled_back',
    ]);

    // The timeline names the actions it mentions, not only their ids.
    const failed = originals.find((a) => a.state === 'failed')!;
    const failedName = `live-migrate k-vm2 k1 -> ${(failed.params as { toHostId: string }).toHostId}`;
    const entries = await ctx.timeline(plan.id);
    expect(entries.find((e) => e.type === 'plan.state' && e.to === 'rolling_back')).toMatchObject({
      detail: { failed: [failed.id] },
      action: null,
      actions: { [failed.id]: failedName },
    });
    expect(
      entries.find(
        (e) => e.actionId === failed.id && e.type === 'action.state' && e.to === 'failed',
      ),
    ).toMatchObject({ action: failedName, actions: {} });
    const undone = entries.find((e) => e.type === 'action.state' && e.to === 'compensated')!;
    const by = (undone.detail as { by: string }).by;
    expect(undone.action).toMatch(/^(live-migrate k-vm1 k1 -> k\d|set-host-status k1 disabled)$/);
    expect(undone.actions).toEqual({
      [by]: expect.stringMatching(/^(live-migrate k-vm1 k\d -> k1|set-host-status k1 up)$/),
    });

    const after = await ctx.currentInventory();
    expect(after.hosts.find((h) => h.id === 'k1')?.status).toBe('up');
    expect(after.instances).toEqual(before.instances);
  });
});
