import { decoderFor } from '@reflex/contracts';
import type { ExecutablePlan } from '@reflex/domain';
import { consumeUntil } from '../support/kafka';
import { fail, succeed } from '../support/driver-stand-in';
import {
  currentInventory,
  group,
  host,
  hostRef,
  instanceRef,
  intent,
  inventory,
  member,
  planSpec,
  vm,
} from './support/plan-fixtures';
import type { TestEngine } from '../support/engine-app';

const types = (plan: ExecutablePlan) => plan.actions.map((a) => a.type);
const where = async (engine: TestEngine, id: string) =>
  (await currentInventory(engine)).instances.find((i) => i.id === id);
const hostStatus = async (engine: TestEngine, id: string) =>
  (await currentInventory(engine)).hosts.find((h) => h.id === id)?.status;

describe('plan execution (real Kafka, PostgreSQL, scripted driver)', () => {
  const ctx = planSpec();
  beforeEach(() => ctx.driver.use(succeed(2)));

  it('drains a host: disable, live-migrate each VM, maintenance; inventory follows; Plan events on `plans`', async () => {
    await ctx.seed(
      inventory([host('d1'), host('d2'), host('d3')], [vm('d-vm1', 'd1'), vm('d-vm2', 'd1')]),
    );
    const outcome = await ctx.createPlan(intent('host-drain', hostRef('d1')));
    expect(outcome).toMatchObject({ state: 'running', reason: null });
    const planId = outcome.planId!;
    const plan = await ctx.waitForPlanState(planId, 'succeeded');

    expect(types(plan)).toEqual([
      'set-host-status',
      'live-migrate',
      'live-migrate',
      'set-host-status',
    ]);
    expect(plan.actions.every((a) => a.state === 'succeeded' && a.attempts === 1)).toBe(true);
    // Dependencies respected: disable first, maintenance last.
    const order = ctx.driver.executes(planId).map((c) => c.actionId);
    expect(order[0]).toBe(plan.actions[0].id);
    expect(order[3]).toBe(plan.actions[3].id);
    expect(ctx.driver.duplicates()).toEqual([]);

    expect(await hostStatus(ctx.engine, 'd1')).toBe('maintenance');
    for (const id of ['d-vm1', 'd-vm2']) {
      expect((await where(ctx.engine, id))?.hostId).not.toBe('d1');
    }
    expect(await ctx.planStates(planId)).toEqual(['pending', 'running', 'succeeded']);

    const decode = decoderFor('plan-event.v1');
    const messages = await consumeUntil(
      `${ctx.engine.config.topicPrefix}plans`,
      (all) => all.filter((m) => m.key === planId).length >= 3,
      { description: 'three plan events' },
    );
    const events = messages
      .filter((m) => m.key === planId)
      .map((m) => decode(Buffer.from(m.value!)));
    expect(events.map((e) => [e.previousState, e.state])).toEqual([
      [null, 'pending'],
      ['pending', 'running'],
      ['running', 'succeeded'],
    ]);
    expect(events[0].trigger).toMatchObject({ rule: 'host-drain-rule', ruleVersion: 1 });
  });

  it('switches over to the standby and recovers the failed member', async () => {
    await ctx.seed(
      inventory(
        [host('s1'), host('s2'), host('s3')],
        [
          member('s-a', 's1', 'sg', 'active', { state: 'error' }),
          member('s-b', 's2', 'sg', 'standby'),
        ],
        [group('sg')],
      ),
    );
    const outcome = await ctx.createPlan(intent('switch-over', instanceRef('s-a')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(types(plan)[0]).toBe('switch-over');
    expect(types(plan)).toContain('recover-instance');
    expect((await where(ctx.engine, 's-b'))?.role).toBe('active');
    expect(await where(ctx.engine, 's-a')).toMatchObject({ role: 'standby', state: 'running' });
  });

  it('fails a host over: fence, mark down, evacuate', async () => {
    await ctx.seed(inventory([host('f1'), host('f2')], [vm('f-vm1', 'f1'), vm('f-vm2', 'f1')]));
    const outcome = await ctx.createPlan(intent('host-failover', hostRef('f1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(types(plan)).toEqual(['fence-host', 'set-host-status', 'evacuate', 'evacuate']);
    expect(await hostStatus(ctx.engine, 'f1')).toBe('down');
    expect((await where(ctx.engine, 'f-vm1'))?.hostId).toBe('f2');
    expect((await where(ctx.engine, 'f-vm2'))?.hostId).toBe('f2');
  });

  it('restores a host: up, then restart what is not running', async () => {
    await ctx.seed(
      inventory([host('r1', { status: 'maintenance' })], [vm('r-vm1', 'r1', { state: 'stopped' })]),
    );
    const outcome = await ctx.createPlan(intent('host-restore', hostRef('r1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(types(plan)).toEqual(['set-host-status', 'recover-instance']);
    expect(await hostStatus(ctx.engine, 'r1')).toBe('up');
    expect((await where(ctx.engine, 'r-vm1'))?.state).toBe('running');
  });

  it('restores redundancy of a group by repairing its standby', async () => {
    await ctx.seed(
      inventory(
        [host('g1'), host('g2')],
        [
          member('g-a', 'g1', 'gg', 'active'),
          member('g-s', 'g2', 'gg', 'standby', { state: 'error' }),
        ],
        [group('gg')],
      ),
    );
    const outcome = await ctx.createPlan(intent('restore-redundancy', { kind: 'group', id: 'gg' }));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(types(plan)).toEqual(['recover-instance']);
    expect((await where(ctx.engine, 'g-s'))?.state).toBe('running');
  });

  it('migrates VMs off a degrading host', async () => {
    await ctx.seed(inventory([host('m1'), host('m2')], [vm('m-vm1', 'm1')]));
    const outcome = await ctx.createPlan(intent('migrate-off', hostRef('m1')));
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(types(plan)).toEqual(['set-host-status', 'live-migrate']);
    expect((await where(ctx.engine, 'm-vm1'))?.hostId).toBe('m2');
    expect(await hostStatus(ctx.engine, 'm1')).toBe('disabled');
  });

  it('sends a notification', async () => {
    await ctx.seed(inventory([host('n1')], []));
    const outcome = await ctx.createPlan(
      intent('notify', hostRef('n1'), { params: { message: 'look at n1', severity: 'warning' } }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'succeeded');
    expect(types(plan)).toEqual(['notify']);
    expect(ctx.driver.executes(plan.id)[0].params).toMatchObject({ message: 'look at n1' });
  });

  it('stores blocked plans with their reason and sends nothing', async () => {
    await ctx.seed(
      inventory(
        [host('b1'), host('b2', { capacity: { vcpus: 2, memoryMb: 4096 } })],
        [vm('b-vm1', 'b1'), member('b-a', 'b1', 'bg', 'active', { state: 'error' })],
        [group('bg', { standby: 0 })],
      ),
    );
    const drain = await ctx.createPlan(intent('host-drain', hostRef('b1')));
    expect(drain.state).toBe('blocked');
    const switchOver = await ctx.createPlan(intent('switch-over', instanceRef('b-a')));
    expect(switchOver).toMatchObject({
      state: 'blocked',
      reason: expect.stringContaining('no healthy standby'),
    });
    for (const outcome of [drain, switchOver]) {
      const plan = await ctx.waitForPlanState(outcome.planId!, 'blocked');
      expect(plan.reason).toBe(outcome.reason);
      expect(plan.actions).toEqual([]);
      expect(plan.finishedAt).not.toBeNull();
      expect(ctx.driver.executes(plan.id)).toEqual([]);
    }
  });

  it('retries a retriable failure as attempt 2, and stops on a non-retriable one under onFailure=stop', async () => {
    await ctx.seed(
      inventory([host('t1'), host('t2'), host('t3')], [vm('t-vm1', 't1'), vm('t-vm2', 't3')]),
    );
    let flaky = true;
    ctx.driver.use((c) => {
      if (c.type === 'live-migrate' && flaky) {
        flaky = false;
        return fail('MIGRATION_TIMEOUT', true);
      }
      return succeed()(c);
    });
    const retried = await ctx.createPlan(intent('migrate-off', hostRef('t1')));
    const plan = await ctx.waitForPlanState(retried.planId!, 'succeeded');
    const migrate = plan.actions.find((a) => a.type === 'live-migrate')!;
    expect(migrate.attempts).toBe(2);
    expect(ctx.driver.of('execute', migrate.id).map((c) => c.attempt)).toEqual([1, 2]);

    ctx.driver.use((c) =>
      c.type === 'live-migrate' ? fail('MIGRATION_REFUSED', false) : succeed()(c),
    );
    const stopped = await ctx.createPlan(
      intent('host-drain', hostRef('t3'), { onFailure: 'stop' }),
    );
    const failed = await ctx.waitForPlanState(stopped.planId!, 'failed');
    const migrations = failed.actions.filter((a) => a.type === 'live-migrate');
    expect(migrations.every((a) => a.state === 'failed' && a.attempts === 1)).toBe(true);
    expect(migrations[0].error).toContain('MIGRATION_REFUSED');
    expect(failed.actions[0].state).toBe('succeeded');
    expect(failed.actions[failed.actions.length - 1].state).toBe('skipped');
    expect(ctx.driver.executes(failed.id)).toHaveLength(1 + migrations.length);
  });
});
