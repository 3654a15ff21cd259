// Found by the chaos suite: when two hosts failed seconds apart, a failover's evacuation onto the
// second one failed, and the engine's inventory went on showing that VM as running on the first,
// dead host, while the cloud had it down. A host the engine marks down takes its instances down.
import { fail, success } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, vm } from './support/plan-fixtures';

describe('a failover that cannot move everything', () => {
  const ctx = planSpec();

  it('leaves what it could not evacuate as down (error) on the dead host, not running', async () => {
    await ctx.seed(inventory([host('x1'), host('x2')], [vm('x-vm1', 'x1'), vm('x-vm2', 'x1')]));
    ctx.driver.use((command) =>
      command.type === 'evacuate' &&
      (command.params as { instanceId: string }).instanceId === 'x-vm2'
        ? fail('destination-unavailable', false)
        : success(),
    );
    const outcome = await ctx.createPlan(
      intent('host-failover', hostRef('x1'), { onFailure: 'continue' }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(plan.actions.map((a) => [a.type, a.state])).toEqual([
      ['fence-host', 'succeeded'],
      ['set-host-status', 'succeeded'],
      ['evacuate', 'succeeded'],
      ['evacuate', 'failed'],
    ]);

    const after = await ctx.currentInventory();
    expect(after.hosts.find((h) => h.id === 'x1')?.status).toBe('down');
    const byId = new Map(after.instances.map((i) => [i.id, i]));
    expect(byId.get('x-vm1')).toMatchObject({ state: 'running' });
    expect(byId.get('x-vm1')?.hostId).not.toBe('x1');
    expect(byId.get('x-vm2')).toMatchObject({ hostId: 'x1', state: 'error' });
  });

  // Found by the chaos suite: the failover fenced the host, then its set-host-status missed the
  // deadline (the driver was being killed), and the inventory kept the powered-off host `up` with
  // its VMs `running`. Fencing is what takes the host down.
  it('marks a fenced host down even when the set-host-status after it fails', async () => {
    await ctx.seed(inventory([host('f1'), host('f2')], [vm('f-vm1', 'f1')]));
    ctx.driver.use((command) =>
      command.type === 'set-host-status' ? fail('timeout', false) : success(),
    );
    const outcome = await ctx.createPlan(
      intent('host-failover', hostRef('f1'), { onFailure: 'continue' }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(plan.actions.map((a) => [a.type, a.state])).toEqual([
      ['fence-host', 'succeeded'],
      ['set-host-status', 'failed'],
      ['evacuate', 'skipped'],
    ]);
    const after = await ctx.currentInventory();
    expect(after.hosts.find((h) => h.id === 'f1')?.status).toBe('down');
    expect(after.instances.find((i) => i.id === 'f-vm1')).toMatchObject({
      hostId: 'f1',
      state: 'error',
    });
  });
});
