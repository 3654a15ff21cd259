// Found by the bench: the ticker stepped, every second, every plan with a pending action, though
// most such actions were only waiting for another one still running (a failover's evacuations
// behind its fence). With a thousand live plans that was a thousand useless steps per tick. Such a
// plan is stepped by its running action's result; the ticker leaves it alone until then.
import { DuePlansRepository } from '../../apps/engine/src/execution/due-plans.repository';
import { waitFor } from '../support/wait-for';
import { succeed, success } from '../support/driver-stand-in';
import {
  createPlan,
  getPlan,
  host,
  hostRef,
  intent,
  inventory,
  seed,
  vm,
  waitForPlanState,
} from './support/plan-fixtures';
import { engineWithDriver } from '../support/engine-with-driver';

describe('the plan ticker', () => {
  const ctx = engineWithDriver();

  beforeAll(async () => {
    ctx.driver.use((c) => (c.type === 'fence-host' ? 'hang' : succeed()(c)));
  });

  const due = () => ctx.engine.app.get(DuePlansRepository).listDueIds(0);

  it('does not count a plan as due while its pending actions wait for a running one', async () => {
    await seed(
      ctx.engine,
      inventory([host('t1'), host('t2')], [vm('t-vm1', 't1'), vm('t-vm2', 't1')]),
    );
    const { planId } = await createPlan(
      ctx.engine,
      intent('host-failover', hostRef('t1'), { onFailure: 'continue' }),
    );
    await waitFor('the fence to run', async () => {
      const plan = await getPlan(ctx.engine, planId!);
      return plan.actions.find((a) => a.type === 'fence-host')?.state === 'running';
    });
    const plan = await getPlan(ctx.engine, planId!);
    const fence = plan.actions.find((a) => a.type === 'fence-host')!;
    // The rest of the plan is pending behind the fence (so the plan has pending actions).
    expect(plan.actions.filter((a) => a.state === 'pending').map((a) => a.type)).toEqual([
      'set-host-status',
      'evacuate',
      'evacuate',
    ]);
    expect(await due()).not.toContain(planId);

    await ctx.driver.waitForCommand('the fence command', (c) => c.actionId === fence.id);
    // When the fence succeeds, its result steps the plan on to the end.
    await ctx.driver.release(fence.id, success());
    await waitForPlanState(ctx.engine, planId!, 'succeeded');
  });
});
