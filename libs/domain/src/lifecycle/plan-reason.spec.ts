import { LIMITS, advance, at, drainPlan, reply } from '../testing/lifecycle.fixture';
import type { ExecutablePlan } from './lifecycle.types';
import { nextStep } from './next-step';
import { abortAction } from './operator-commands';
import { sequentialIds } from '../testing/topology.fixture';

const step = (plan: ExecutablePlan, seconds: number) =>
  nextStep(plan, at(seconds), LIMITS, { ids: sequentialIds('c') });

/** The drain with h1 disabled and a3, a4 live-migrating. */
function migrating(onFailure: ExecutablePlan['onFailure']): ExecutablePlan {
  let plan = advance(drainPlan({ onFailure }), 0).plan;
  plan = reply(plan, 'a2', 'succeeded', 1);
  return step(plan, 1).plan;
}
const to = (plan: ExecutablePlan, id: string) =>
  (plan.actions.find((a) => a.id === id)!.params as { toHostId: string }).toHostId;

describe('end reasons (CONTRACT §9)', () => {
  it('a failed plan names each failed action: type, instance, hosts, error', () => {
    let plan = migrating('continue');
    plan = reply(plan, 'a3', 'failed', 2, {
      error: { code: 'operation-failed', message: 'qemu crashed', retriable: false },
    });
    plan = reply(step(plan, 2).plan, 'a4', 'succeeded', 3);
    plan = reply(step(plan, 3).plan, 'a5', 'succeeded', 4);
    const done = step(plan, 4);
    expect(done.finished).toBe('failed');
    expect(done.plan.reason).toBe(
      `failed: live-migrate vm-1 h1 -> ${to(plan, 'a3')} failed: operation-failed: qemu crashed`,
    );
  });

  it('a deadline the driver never answered is named as such', () => {
    const plan = migrating('stop');
    const late = step(plan, 1 + 1800 + 61);
    const done = step(reply(reply(late.plan, 'a3', 'aborted', 1900), 'a4', 'aborted', 1900), 1900);
    expect(done.plan.state).toBe('failed');
    expect(done.plan.reason).toContain(
      `live-migrate vm-1 h1 -> ${to(plan, 'a3')} failed: no result from the driver by the deadline`,
    );
    expect(done.plan.reason).toContain(`live-migrate vm-2 h1 -> ${to(plan, 'a4')} failed`);
  });

  it('a rolled-back plan says what failed; an aborted action is named too', () => {
    let plan = migrating('rollback');
    plan = abortAction(plan, 'a3', at(2), LIMITS, { by: 'alice' }).plan;
    plan = reply(plan, 'a3', 'aborted', 3);
    let result = step(plan, 3);
    expect(result.plan.state).toBe('rolling_back');
    plan = reply(result.plan, 'a4', 'aborted', 4);
    result = step(plan, 4);
    for (const c of result.plan.actions.filter((a) => a.compensationFor && a.state === 'running')) {
      result = step(reply(result.plan, c.id, 'succeeded', 5), 5);
    }
    expect(result.plan.state).toBe('rolled_back');
    expect(result.plan.reason).toBe(
      `rolled back after: live-migrate vm-1 h1 -> ${to(plan, 'a3')} aborted; ` +
        `live-migrate vm-2 h1 -> ${to(plan, 'a4')} aborted`,
    );
  });
});
