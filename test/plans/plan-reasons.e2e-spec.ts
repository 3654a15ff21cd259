// CONTRACT §9 reasons (issue 15): every plan that ends failed, rolled_back or blocked says why,
// naming each failed action (type, instance or host, error). Failed plans used to have reason null.
import type { MigrateParams } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';
import { DataSource } from 'typeorm';
import { fail, succeed } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, vm } from './support/plan-fixtures';

const toHost = (plan: ExecutablePlan, seq: number) =>
  (plan.actions.find((a) => a.seq === seq)!.params as MigrateParams).toHostId;

describe('the reason of every plan that did not succeed (real Kafka, PostgreSQL)', () => {
  const ctx = planSpec();

  it('a non-retriable driver error: the failed action, its instance, hosts and error', async () => {
    await ctx.seed(inventory([host('n1'), host('n2')], [vm('n-vm1', 'n1')]));
    ctx.driver.use((c) =>
      c.type === 'live-migrate' ? fail('operation-failed', false) : succeed()(c),
    );
    const outcome = await ctx.createPlan(
      intent('migrate-off', hostRef('n1'), { onFailure: 'stop' }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(plan.reason).toBe(
      `failed: live-migrate n-vm1 n1 -> ${toHost(plan, 2)} failed: ` +
        'operation-failed: scripted operation-failed',
    );
  });

  it('a deadline the driver never answered', async () => {
    await ctx.seed(inventory([host('d1'), host('d2')], [vm('d-vm1', 'd1')]));
    ctx.driver.use((c) => (c.type === 'live-migrate' ? 'silent' : succeed()(c)));
    const outcome = await ctx.createPlan(
      intent('migrate-off', hostRef('d1'), { onFailure: 'stop' }),
    );
    const migrate = (await ctx.getPlan(outcome.planId!)).actions[1];
    await ctx.driver.waitForCommand('the migration', (c) => c.actionId === migrate.id);
    // As if two hours had passed: the live-migrate deadline (30 min) and its grace are long gone.
    await ctx.agePastDeadline(migrate.id);
    const plan = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(plan.reason).toMatch(
      new RegExp(
        `^failed: live-migrate d-vm1 d1 -> ${toHost(plan, 2)} failed: ` +
          'no result from the driver by the deadline ',
      ),
    );
  });

  it('a rollback: what failed, and that the plan was rolled back', async () => {
    await ctx.seed(inventory([host('r1'), host('r2')], [vm('r-vm1', 'r1')]));
    ctx.driver.use((c) =>
      c.type === 'live-migrate' ? fail('operation-failed', false) : succeed()(c),
    );
    const outcome = await ctx.createPlan(
      intent('host-drain', hostRef('r1'), { onFailure: 'rollback' }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'rolled_back');
    expect(plan.reason).toBe(
      `rolled back after: live-migrate r-vm1 r1 -> ${toHost(plan, 2)} failed: ` +
        'operation-failed: scripted operation-failed',
    );
  });

  it('a failed compensation: the original failure and the compensation that failed', async () => {
    await ctx.seed(inventory([host('k1'), host('k2')], [vm('k-vm1', 'k1')]));
    // The drain's first step (disable k1) succeeds, its migration fails, and putting k1 back up fails.
    ctx.driver.use((c) =>
      c.type === 'live-migrate' || (c.type === 'set-host-status' && c.attempt === 1 && isUp(c))
        ? fail('operation-failed', false)
        : succeed()(c),
    );
    const outcome = await ctx.createPlan(
      intent('host-drain', hostRef('k1'), { onFailure: 'rollback' }),
    );
    const plan = await ctx.waitForPlanState(outcome.planId!, 'failed');
    expect(plan.reason).toBe(
      `failed: live-migrate k-vm1 k1 -> ${toHost(plan, 2)} failed: operation-failed: scripted operation-failed; ` +
        'set-host-status k1 up (compensation) failed: operation-failed: scripted operation-failed',
    );
  });

  it('a blocked plan says why', async () => {
    await ctx.seed(inventory([host('b1')], [vm('b-vm1', 'b1')]));
    const outcome = await ctx.createPlan(intent('host-drain', hostRef('b1')));
    expect(outcome.state).toBe('blocked');
    const plan = await ctx.getPlan(outcome.planId!);
    expect(plan.reason).toMatch(/no host for b-vm1/);
  });

  it('no failed, rolled back or blocked plan of this run has an empty reason', async () => {
    const rows = await ctx.engine.app.get(DataSource).query<{ state: string; n: string }[]>(
      `SELECT state, count(*) AS n FROM plans
          WHERE state IN ('failed', 'rolled_back', 'blocked') AND coalesce(reason, '') = ''
          GROUP BY state`,
    );
    expect(rows).toEqual([]);
    const all = await ctx.engine.app
      .get(DataSource)
      .query<{ n: string }[]>(
        `SELECT count(*) AS n FROM plans WHERE state IN ('failed', 'rolled_back', 'blocked')`,
      );
    expect(Number(all[0].n)).toBe(5);
  });
});

function isUp(c: { params: unknown }): boolean {
  return (c.params as { status?: string }).status === 'up';
}
