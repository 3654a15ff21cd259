// Issue 13, deliverable 3: a running action whose result never reached the engine (a consumer cut
// off, a report lost) waited for its deadline, minutes for a fence and half an hour for a
// migration. The engine now asks the driver again after ACTION_INQUIRY_SECONDS of silence, by
// re-sending the execute of the same attempt, which the driver answers idempotently.
import type { DriverCommandV1 } from '@reflex/contracts';
import { succeed, success } from '../support/driver-stand-in';
import { host, hostRef, intent, inventory, planSpec, vm } from './support/plan-fixtures';

describe('asking the driver about a silent running action', () => {
  const ctx = planSpec({ ACTION_INQUIRY_SECONDS: '2' });
  const fenceExecutes: DriverCommandV1[] = [];

  beforeAll(async () => {
    // The first execute of the fence is answered with nothing at all, as if its result was lost;
    // a driver asked again re-publishes the recorded result, which is what the second reply is.
    ctx.driver.use((c) => {
      if (c.type !== 'fence-host') return succeed()(c);
      fenceExecutes.push(c);
      return fenceExecutes.length === 1 ? 'silent' : success();
    });
  });

  it('re-sends the execute of the same attempt and finishes on the answer, long before the deadline', async () => {
    await ctx.seed(inventory([host('q1'), host('q2')], [vm('q-vm1', 'q1')]));
    const { planId } = await ctx.createPlan(
      intent('host-failover', hostRef('q1'), { onFailure: 'continue' }),
    );
    await ctx.waitForPlanState(planId!, 'succeeded', 30_000);
    const fence = (await ctx.getPlan(planId!)).actions.find((a) => a.type === 'fence-host')!;
    expect(fence.state).toBe('succeeded');
    expect(fence.attempts).toBe(1);
    // Asked once more, same action and attempt: done within the wait above, the fence's deadline
    // being 300 s.
    expect(fenceExecutes.map((c) => [c.actionId, c.attempt])).toEqual([
      [fence.id, 1],
      [fence.id, 1],
    ]);
  });
});
