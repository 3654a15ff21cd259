// CONTRACT §9 re-placement (issue 15): a move whose destination turns out dead, or goes down before
// the move runs, is placed again on another host, at most 3 times, and the timeline says so.
import type { ActionV1, MigrateParams } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';
import { Client } from 'pg';
import type { TestEngine } from '../support/engine-app';
import { waitFor } from '../support/wait-for';
import { fail, success } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, timeline, vm } from './support/plan-fixtures';

const evacuationOf = (plan: ExecutablePlan): ActionV1 =>
  plan.actions.find((a) => a.type === 'evacuate')!;
const toHost = (action: ActionV1) => (action.params as MigrateParams).toHostId;

async function replacements(engine: TestEngine, planId: string) {
  return (await timeline(engine, planId))
    .filter((e) => e.type === 'plan.note' && e.detail.replaced)
    .map((e) => e.detail.replaced as Record<string, unknown>);
}

describe('re-placement of moves whose destination is unusable (real Kafka, PostgreSQL)', () => {
  const ctx = planSpec();

  it('re-places an evacuation whose destination the driver found dead, and the plan succeeds', async () => {
    await ctx.seed(inventory([host('a1'), host('a2'), host('a3')], [vm('a-vm1', 'a1')]));
    // The inventory says every host is up; the first destination is dead all the same.
    ctx.driver.use((c) =>
      c.type === 'evacuate' && c.attempt === 1 ? fail('destination-unavailable', false) : success(),
    );
    const outcome = await ctx.createPlan(intent('host-failover', hostRef('a1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');

    const evacuate = evacuationOf(plan);
    const [first, second] = ctx.driver.of('execute', evacuate.id);
    const dead = (first.params as MigrateParams).toHostId;
    expect(second).toMatchObject({ attempt: 2 });
    expect((second.params as MigrateParams).toHostId).not.toBe(dead);
    expect(evacuate).toMatchObject({ state: 'succeeded', attempts: 2, unusableHostIds: [dead] });
    expect(toHost(evacuate)).toBe((second.params as MigrateParams).toHostId);
    expect(plan.reason).toBeNull();

    expect(await replacements(ctx.engine, plan.id)).toEqual([
      {
        oldHostId: dead,
        newHostId: toHost(evacuate),
        why: 'the driver failed the move: destination-unavailable: scripted destination-unavailable',
        replacement: 1,
        of: 3,
      },
    ]);
    const after = await ctx.currentInventory();
    expect(after.instances.find((i) => i.id === 'a-vm1')).toMatchObject({
      hostId: toHost(evacuate),
      state: 'running',
    });
    // The dead host takes no new placements until someone says it is up again.
    expect(after.hosts.find((h) => h.id === dead)?.status).toBe('disabled');
    // The plan is found by every host its move was meant for.
    const byDead = await fetch(`${ctx.engine.url}/v1/plans?resource=${dead}`);
    expect(((await byDead.json()) as { items: { id: string }[] }).items.map((p) => p.id)).toContain(
      plan.id,
    );
  });

  // Found by the chaos rack scenario: when the step that records the destination failure cannot
  // take the planning lock, the move is placed on a later tick. That step changed only the params,
  // which were not saved: the driver moved the VM to the new host while the row kept the dead one,
  // and the success put the instance on the dead host in the inventory.
  it('stores the new destination of a move placed again on a later tick (planning lock busy)', async () => {
    await ctx.seed(inventory([host('l1'), host('l2'), host('l3')], [vm('l-vm1', 'l1')]));
    ctx.driver.use((c) => (c.type === 'evacuate' && c.attempt === 1 ? 'hang' : success()));
    const outcome = await ctx.createPlan(intent('host-failover', hostRef('l1')));
    // Running in the database is not yet received by the stand-in: wait for the command itself.
    const running = await waitFor('the first evacuation to run', async () => {
      const a = evacuationOf(await ctx.getPlan(outcome.planId!));
      return a.state === 'running' && ctx.driver.of('execute', a.id).length ? a : undefined;
    });
    const holder = new Client({ connectionString: ctx.engine.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      // The whole cloud's planning cell (no PLANNING_CELL_LABEL): plan-locks.ts.
      await holder.query(`SELECT pg_advisory_xact_lock(1380271692, hashtext(''))`);
      await ctx.driver.release(running.id, fail('destination-unavailable', false));
      await waitFor('the failure recorded, the move waiting for a new destination', async () => {
        const a = evacuationOf(await ctx.getPlan(outcome.planId!));
        return a.state === 'pending' && (a.unusableHostIds ?? []).includes(toHost(running));
      });
    } finally {
      await holder.query('COMMIT').catch(() => undefined);
      await holder.end();
    }
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    const evacuate = evacuationOf(plan);
    const second = ctx.driver.of('execute', evacuate.id).find((c) => c.attempt === 2)!;
    expect(toHost(evacuate)).toBe((second.params as MigrateParams).toHostId);
    expect(toHost(evacuate)).not.toBe(toHost(running));
    const after = await ctx.currentInventory();
    expect(after.instances.find((i) => i.id === 'l-vm1')).toMatchObject({
      hostId: toHost(evacuate),
      state: 'running',
    });
  });

  it('re-places a pending evacuation whose destination goes down, before it is dispatched', async () => {
    await ctx.seed(inventory([host('b1'), host('b2'), host('b3')], [vm('b-vm1', 'b1')]));
    ctx.driver.use((c) => (c.type === 'fence-host' ? 'silent' : success()));
    const outcome = await ctx.createPlan(intent('host-failover', hostRef('b1')));
    const fence = await ctx.driver.waitForCommand(
      'the fence',
      (c) => c.planId === outcome.planId && c.type === 'fence-host',
    );
    const planned = evacuationOf(await ctx.getPlan(outcome.planId!));
    expect(planned.state).toBe('pending');
    const doomed = toHost(planned);

    const put = await fetch(`${ctx.engine.url}/v1/hosts/${doomed}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(host(doomed, { status: 'down' })),
    });
    expect(put.status).toBe(200);
    await ctx.driver.release(fence.actionId, success());

    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    const evacuate = evacuationOf(plan);
    const executes = ctx.driver.of('execute', evacuate.id);
    expect(executes).toHaveLength(1);
    expect(executes[0]).toMatchObject({ attempt: 1 });
    expect((executes[0].params as MigrateParams).toHostId).not.toBe(doomed);
    expect(evacuate).toMatchObject({ state: 'succeeded', attempts: 1, unusableHostIds: [doomed] });
    expect(await replacements(ctx.engine, plan.id)).toEqual([
      {
        oldHostId: doomed,
        newHostId: toHost(evacuate),
        why: `${doomed} is down`,
        replacement: 1,
        of: 3,
      },
    ]);
  });

  it('ends the move at its 4th destination failure, with a reason naming it', async () => {
    const hosts = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((id) => host(id));
    await ctx.seed(inventory(hosts, [vm('c-vm1', 'c1')]));
    ctx.driver.use((c) =>
      c.type === 'evacuate' ? fail('destination-unavailable', false) : success(),
    );
    const outcome = await ctx.createPlan(
      intent('host-failover', hostRef('c1'), { onFailure: 'continue' }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'failed');
    const evacuate = evacuationOf(plan);
    const tried = ctx.driver
      .of('execute', evacuate.id)
      .map((c) => (c.params as MigrateParams).toHostId);
    expect(tried).toHaveLength(4);
    expect(new Set(tried).size).toBe(4);
    expect(evacuate).toMatchObject({ state: 'failed', attempts: 4, unusableHostIds: tried });
    expect(evacuate.error).toBe(
      'destination-unavailable: scripted destination-unavailable; the 4th destination to fail ' +
        `(${tried.join(', ')}), not placed again`,
    );
    expect(plan.reason).toBe(`failed: evacuate c-vm1 c1 -> ${tried[3]} failed: ${evacuate.error}`);
    expect(await replacements(ctx.engine, plan.id)).toHaveLength(3);
    // A fifth host was free: the limit ended it, not a lack of room. The failover is planned once
    // more (its instance is still down) and tries that host, which refuses too; no third plan.
    const plans = async () =>
      (
        (await (await fetch(`${ctx.engine.url}/v1/plans?resource=c1&limit=10`)).json()) as {
          items: ExecutablePlan[];
        }
      ).items;
    const again = await waitFor('the second chance', async () =>
      (await plans()).find((p) => p.id !== plan.id),
    );
    const second = await ctx.waitForPlanState(again.id, 'failed');
    const fifth = toHost(evacuationOf(second));
    expect([...tried, fifth].sort()).toEqual(['c2', 'c3', 'c4', 'c5', 'c6']);
    expect(second.reason).toContain(`evacuate c-vm1 c1 -> ${fifth} failed`);
    expect(await plans()).toHaveLength(2);
  });

  it('aborts a running migration whose destination the inventory marks down, and places it again', async () => {
    await ctx.seed(inventory([host('d1'), host('d2'), host('d3')], [vm('d-vm1', 'd1')]));
    // The first live migration hangs (the stand-in answers an abort with `aborted`).
    ctx.driver.use((c) => (c.type === 'live-migrate' && c.attempt === 1 ? 'hang' : success()));
    const outcome = await ctx.createPlan(intent('host-drain', hostRef('d1')));
    const first = await ctx.driver.waitForCommand(
      'the live migration',
      (c) => c.planId === outcome.planId && c.type === 'live-migrate',
    );
    const doomed = (first.params as MigrateParams).toHostId;
    const put = await fetch(`${ctx.engine.url}/v1/hosts/${doomed}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(host(doomed, { status: 'down' })),
    });
    expect(put.status).toBe(200);

    await ctx.driver.waitForCommand(
      'the abort of the migration',
      (c) => c.kind === 'abort' && c.actionId === first.actionId && c.attempt === 1,
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    const migrate = plan.actions.find((a) => a.type === 'live-migrate')!;
    const second = ctx.driver.of('execute', migrate.id).find((c) => c.attempt === 2)!;
    expect((second.params as MigrateParams).toHostId).not.toBe(doomed);
    expect(migrate).toMatchObject({ state: 'succeeded', attempts: 2, unusableHostIds: [doomed] });
    expect(await replacements(ctx.engine, plan.id)).toEqual([
      {
        oldHostId: doomed,
        newHostId: toHost(migrate),
        why: `destination down during the move: ${doomed} went down; the move was aborted`,
        replacement: 1,
        of: 3,
      },
    ]);
    const after = await ctx.currentInventory();
    expect(after.instances.find((i) => i.id === 'd-vm1')).toMatchObject({
      hostId: toHost(migrate),
      state: 'running',
    });
  });
});
