// Failovers the engine queues by itself. A drain's live migration is under way when its destination
// dies; the destination's failover is planned at once, without the VM (the move has not succeeded),
// and then the driver reports the move succeeded after all (it finished just as the host died, the
// engine's abort too late): a follow-up failover of that host, the same decision again, brings the VM
// back elsewhere. And a failover that failed with instances still down is planned once more, once.
// Real Kafka and PostgreSQL; alarms through HTTP with the shipped rules; the driver a scripted
// stand-in.
import type { MigrateParams } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';
import { http } from '../support/http';
import { alarm } from '../support/topology';
import { waitFor } from '../support/wait-for';
import { fail, succeed, success } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, vm } from './support/plan-fixtures';

describe('failovers the engine queues by itself: late arrivals and a second chance', () => {
  const ctx = planSpec();

  it('are brought back by a follow-up failover of that host', async () => {
    await ctx.seed(inventory([host('m1'), host('m2'), host('m3'), host('m4')], [vm('m-vm', 'm1')]));
    // The drain's live migration is held at the driver; everything else succeeds. The engine's
    // abort of the migration (its destination goes down) reaches the driver too late: held.
    ctx.driver.use((c) => (c.type === 'live-migrate' ? 'silent' : succeed()(c)));
    ctx.driver.holdAborts = true;
    const drain = await ctx.createPlan(intent('host-drain', hostRef('m1')));
    const migrate = await ctx.driver.waitForCommand(
      'the live migration',
      (c) => c.type === 'live-migrate' && c.planId === drain.planId,
    );
    const destination = (migrate.params as MigrateParams).toHostId;

    // The destination dies; monitoring reports it; its failover runs with nothing on it to move.
    const down = await http<{ items: Array<{ disposition: string; planId: string }> }>(
      'POST',
      `${ctx.engine.url}/v1/alarms`,
      [alarm('host.down', 'host', destination, { id: `late-${destination}`, source: 'late-test' })],
    );
    expect(down.body.items[0].disposition).toBe('triggered');
    const failover = await ctx.waitForPlanState(down.body.items[0].planId, 'succeeded');
    expect(failover.actions.map((a) => a.type)).toEqual(['fence-host', 'set-host-status']);

    // The engine asked to abort the migration, but it had finished: the VM is on the dead host.
    await ctx.driver.waitForCommand(
      'the abort of the migration',
      (c) => c.kind === 'abort' && c.actionId === migrate.actionId,
    );
    await ctx.driver.release(migrate.actionId, success());
    await ctx.waitForPlanState(drain.planId!, 'succeeded');
    ctx.driver.holdAborts = false;

    // A follow-up failover of that host, by the same rule for the same alarm, evacuates it.
    const followUp = await waitFor(
      'a follow-up failover of the destination',
      async () => {
        const res = await ctx.call<{ items: ExecutablePlan[] }>(
          'GET',
          `/v1/plans?resource=${destination}&policy=host-failover&limit=10`,
        );
        return res.body.items.find((p) => p.id !== failover.id);
      },
      { timeoutMs: 30_000 },
    );
    expect(followUp.trigger).toMatchObject({
      rule: failover.trigger.rule,
      alarmId: failover.trigger.alarmId,
    });
    const done = await ctx.waitForPlanState(followUp.id, 'succeeded');
    const evacuate = done.actions.find((a) => a.type === 'evacuate');
    expect(evacuate?.params).toMatchObject({ instanceId: 'm-vm', fromHostId: destination });
    const full = await ctx.getPlan(followUp.id);
    expect(JSON.stringify(full.explanation)).toContain(
      `instances arrived on host ${destination} after its failover ${failover.id} was planned`,
    );

    const inv = await ctx.currentInventory();
    const instance = inv.instances.find((i) => i.id === 'm-vm')!;
    expect(instance.state).toBe('running');
    expect(inv.hosts.find((h) => h.id === instance.hostId)?.status).toBe('up');
    expect(instance.hostId).not.toBe(destination);
    expect(instance.hostId).not.toBe('m1');
  });

  it('do not make a failover of a host that is up again after an old one', async () => {
    await ctx.seed(inventory([host('r1'), host('r2')], [vm('r-vm', 'r1')]));
    ctx.driver.use(succeed());
    // r2 failed once, long ago, and is up again now.
    const old = await ctx.createPlan(intent('host-failover', hostRef('r2')));
    await ctx.waitForPlanState(old.planId!, 'succeeded');
    expect((await http('PUT', `${ctx.engine.url}/v1/hosts/r2`, host('r2'))).status).toBe(200);
    const drain = await ctx.createPlan(intent('host-drain', hostRef('r1')));
    await ctx.waitForPlanState(drain.planId!, 'succeeded');
    const inv = await ctx.currentInventory();
    expect(inv.instances.find((i) => i.id === 'r-vm')).toMatchObject({
      hostId: 'r2',
      state: 'running',
    });
    const res = await ctx.call<{ items: ExecutablePlan[] }>(
      'GET',
      `/v1/plans?resource=r2&policy=host-failover&limit=10`,
    );
    expect(res.body.items.map((p) => p.id)).toEqual([old.planId]);
  });

  it('plans a failover that failed with instances still down once more, and only once', async () => {
    const dead = new Set(['e2', 'e3', 'e4', 'e5']);
    // e6 and e7 are a little busier, so the first plan tries the four empty (dead) hosts first.
    await ctx.seed(
      inventory(
        ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7'].map((id) => host(id)),
        [vm('e-vm', 'e1'), vm('e6-vm', 'e6'), vm('e7-vm', 'e7')],
      ),
    );
    ctx.driver.use((c) =>
      c.type === 'evacuate' && dead.has((c.params as MigrateParams).toHostId)
        ? fail('destination-unavailable', false)
        : success(),
    );
    const first = await ctx.createPlan(
      intent('host-failover', hostRef('e1'), { onFailure: 'continue' }),
    );
    const failed = await ctx.waitForPlanState(first.planId!, 'failed');
    expect(failed.reason).toContain('the 4th destination to fail');

    const again = await waitFor(
      'the failover planned once more',
      async () => {
        const res = await ctx.call<{ items: ExecutablePlan[] }>(
          'GET',
          `/v1/plans?resource=e1&policy=host-failover&limit=10`,
        );
        return res.body.items.find((p) => p.id !== first.planId);
      },
      { timeoutMs: 30_000 },
    );
    const done = await ctx.waitForPlanState(again.id, 'succeeded');
    expect(JSON.stringify((await ctx.getPlan(done.id)).explanation)).toContain(
      `failover ${first.planId} ended failed with 1 instance(s) still down on host e1 (e-vm): planned once more`,
    );
    const inv = await ctx.currentInventory();
    const instance = inv.instances.find((i) => i.id === 'e-vm')!;
    expect(instance.state).toBe('running');
    expect(['e6', 'e7']).toContain(instance.hostId);
    const all = await ctx.call<{ items: ExecutablePlan[] }>(
      'GET',
      `/v1/plans?resource=e1&policy=host-failover&limit=10`,
    );
    expect(all.body.items).toHaveLength(2);
  });
});
