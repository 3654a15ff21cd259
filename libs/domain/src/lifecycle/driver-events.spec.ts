import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { applyDriverEvent } from './driver-events';
import { LIMITS, advance, at, drainPlan } from '../testing/lifecycle.fixture';

const started = () => advance(drainPlan(), 0).plan;
const event = (over: Partial<DriverEventV1>): DriverEventV1 => ({
  actionId: 'a2',
  attempt: 1,
  status: 'succeeded',
  at: at(1),
  ...over,
});

describe('applyDriverEvent', () => {
  it('records a success with its inventory change', () => {
    const result = applyDriverEvent(started(), event({}), at(1), LIMITS);
    expect(result.ignored).toBeNull();
    expect(result.plan.actions[0]).toMatchObject({
      state: 'succeeded',
      progress: 100,
      finishedAt: at(1),
    });
    expect(result.inventoryChanges).toEqual([
      { kind: 'host', id: 'h1', set: { status: 'disabled' } },
    ]);
    expect(result.events).toEqual([
      {
        at: at(1),
        planId: 'a1',
        actionId: 'a2',
        type: 'action.state',
        from: 'running',
        to: 'succeeded',
        detail: { attempt: 1, driverAt: at(1) },
      },
    ]);
  });

  it('updates progress without a timeline line', () => {
    const result = applyDriverEvent(
      started(),
      event({ status: 'progress', progress: 140 }),
      at(1),
      LIMITS,
    );
    expect(result.plan.actions[0].progress).toBe(100);
    expect(result.events).toEqual([]);
  });

  it('ignores duplicates, stale attempts and unknown actions (at-least-once delivery)', () => {
    const once = applyDriverEvent(started(), event({}), at(1), LIMITS).plan;
    expect(applyDriverEvent(once, event({}), at(2), LIMITS)).toMatchObject({
      ignored: 'action is succeeded',
      events: [],
      inventoryChanges: [],
    });
    expect(applyDriverEvent(started(), event({ attempt: 0 }), at(1), LIMITS).ignored).toBe(
      'stale attempt 0 (current 1)',
    );
    expect(applyDriverEvent(started(), event({ actionId: 'zz' }), at(1), LIMITS).ignored).toBe(
      'unknown action zz',
    );
  });

  it('does not retry a failure reported as a bare string', () => {
    const result = applyDriverEvent(
      started(),
      event({ status: 'failed', error: 'boom' }),
      at(1),
      LIMITS,
    );
    expect(result.plan.actions[0]).toMatchObject({ state: 'failed', error: 'boom' });
  });

  it('keeps the inventory change of a success reported after the engine gave up on the deadline', () => {
    // The drain's first live migration (a3) runs; nothing is heard of it past its deadline.
    const migrating = advance(applyDriverEvent(started(), event({}), at(1), LIMITS).plan, 1).plan;
    const timedOut = advance(migrating, 1900).plan;
    const a3 = timedOut.actions.find((a) => a.id === 'a3')!;
    expect(a3.state).toBe('failed');
    const late = applyDriverEvent(
      timedOut,
      event({ actionId: 'a3', at: at(1901) }),
      at(1901),
      LIMITS,
    );
    expect(late.plan.actions.find((a) => a.id === 'a3')!.state).toBe('failed');
    expect(late.inventoryChanges).toEqual([
      {
        kind: 'instance',
        id: (a3.params as { instanceId: string }).instanceId,
        set: { hostId: (a3.params as { toHostId: string }).toHostId, state: 'running' },
      },
    ]);
    expect(late.events[0]).toMatchObject({ type: 'plan.note', detail: { lateSuccess: true } });
  });
});
