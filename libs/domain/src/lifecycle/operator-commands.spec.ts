import { ConflictError, NotFoundError } from '@reflex/common/errors';
import { sequentialIds } from '../testing/topology.fixture';
import { LIMITS, advance, at, drainPlan, reply, states } from '../testing/lifecycle.fixture';
import {
  abortAction,
  approvePlan,
  cancelPlan,
  forceCompleteAction,
  supersedePlan,
} from './operator-commands';
import { PlanStateMachine } from './plan-state-machine';

const running = () => {
  const started = advance(drainPlan(), 0).plan;
  return advance(reply(started, 'a2', 'succeeded', 1), 1).plan;
};

describe('operator commands', () => {
  it('approve: pending_approval → pending, recorded with who approved; 409 otherwise', () => {
    const result = approvePlan(drainPlan({ mode: 'manual' }), at(3), LIMITS, { by: 'alice' });
    expect(result.plan.state).toBe('pending');
    expect(result.events).toEqual([
      {
        at: at(3),
        planId: 'a1',
        actionId: null,
        type: 'plan.state',
        from: 'pending_approval',
        to: 'pending',
        detail: { approvedBy: 'alice' },
      },
    ]);
    expect(() => approvePlan(running(), at(3), LIMITS)).toThrow(ConflictError);
    expect(() => approvePlan(running(), at(3), LIMITS)).toThrow(
      'plan a1 is running; it cannot become pending',
    );
  });

  it("approve keeps the approver's reason: in the timeline entry and on the plan", () => {
    const held = { ...drainPlan({ mode: 'manual' }), reason: 'storm guard: 3 of 4 hosts down' };
    const result = approvePlan(held, at(3), LIMITS, { by: 'alice', reason: 'facilities confirm' });
    expect(result.events[0].detail).toEqual({ approvedBy: 'alice', reason: 'facilities confirm' });
    expect(result.plan.reason).toBe(
      'storm guard: 3 of 4 hosts down; approved by alice: facilities confirm',
    );
    const plain = approvePlan(drainPlan({ mode: 'manual' }), at(3), LIMITS, { by: 'bob' });
    expect(plain.plan.reason).toBe(drainPlan({ mode: 'manual' }).reason);
  });

  it('cancel a blocked plan: dismissed with who and why, and it was already finished', () => {
    const blocked = {
      ...drainPlan(),
      state: 'blocked' as const,
      reason: 'blocked: group db would lose its standby',
      finishedAt: at(1),
      actions: [],
    };
    const result = cancelPlan(blocked, at(5), LIMITS, { by: 'alice', reason: 'moved to Tuesday' });
    expect(result.plan.state).toBe('cancelled');
    expect(result.events).toEqual([
      expect.objectContaining({
        from: 'blocked',
        to: 'cancelled',
        detail: { cancelledBy: 'alice', reason: 'moved to Tuesday' },
      }),
    ]);
    expect(result.commands).toEqual([]);
  });

  it('cancel before start: every action skipped, no command sent', () => {
    const result = cancelPlan(drainPlan({ mode: 'manual' }), at(2), LIMITS, {
      by: 'bob',
      reason: 'wrong host',
    });
    expect(result.plan).toMatchObject({ state: 'cancelled', finishedAt: at(2) });
    expect(Object.values(states(result.plan))).toEqual(Array(5).fill('skipped'));
    expect(result.commands).toEqual([]);
    expect(result.events[0].detail).toEqual({ cancelledBy: 'bob', reason: 'wrong host' });
  });

  it('cancel while running: unstarted skipped, running aborted, finished ones left done', () => {
    const result = cancelPlan(running(), at(5), LIMITS);
    expect(states(result.plan)).toEqual({
      a2: 'succeeded',
      a3: 'running',
      a4: 'running',
      a5: 'skipped',
      a6: 'skipped',
    });
    expect(result.commands.map((c) => [c.kind, c.actionId, c.attempt])).toEqual([
      ['abort', 'a3', 1],
      ['abort', 'a4', 1],
    ]);
    expect(() => cancelPlan(result.plan, at(6), LIMITS)).toThrow(ConflictError);
  });

  it('supersede: as cancel, pointing at the plan that replaced it', () => {
    const result = supersedePlan(running(), 'p-new', at(5), LIMITS);
    expect(result.plan).toMatchObject({ state: 'superseded', supersededBy: 'p-new' });
    expect(result.commands.map((c) => c.kind)).toEqual(['abort', 'abort']);
    expect(states(result.plan)).toMatchObject({ a5: 'skipped', a6: 'skipped' });
    // The aborts' results still land on the actions; the plan does not move again.
    const after = reply(reply(result.plan, 'a3', 'aborted', 6), 'a4', 'succeeded', 6);
    expect(states(after)).toMatchObject({ a3: 'aborted', a4: 'succeeded' });
    expect(advance(after, 7)).toMatchObject({
      events: [],
      commands: [],
      finished: null,
    });
  });

  it("records the actor and, apart, the caller's note on abort and force-complete", () => {
    const actor = { by: 'ops-bot', note: 'a (admin)', reason: 'stuck' };
    expect(abortAction(running(), 'a3', at(5), LIMITS, actor).events[0].detail).toEqual({
      by: 'ops-bot',
      reason: 'stuck',
      note: 'a (admin)',
    });
    expect(forceCompleteAction(running(), 'a4', at(5), LIMITS, actor).events[0].detail).toEqual({
      by: 'ops-bot',
      note: 'a (admin)',
    });
  });

  it('abort and force-complete a running live migration; 409 for anything else', () => {
    const plan = running();
    const abort = abortAction(plan, 'a3', at(5), LIMITS, { by: 'carol' });
    expect(abort.commands).toEqual([
      expect.objectContaining({
        kind: 'abort',
        actionId: 'a3',
        attempt: 1,
        deadline: at(1 + 1800),
      }),
    ]);
    expect(abort.events[0]).toMatchObject({ type: 'action.command', actionId: 'a3', to: 'abort' });
    expect(abort.plan.actions.find((a) => a.id === 'a3')!.state).toBe('running');
    expect(forceCompleteAction(plan, 'a4', at(5), LIMITS).commands[0]).toMatchObject({
      kind: 'force-complete',
      actionId: 'a4',
      type: 'live-migrate',
    });
    expect(() => abortAction(plan, 'a5', at(5), LIMITS)).toThrow(ConflictError);
    expect(() => forceCompleteAction(plan, 'a2', at(5), LIMITS)).toThrow(
      'action a2 is a succeeded set-host-status; only a running live-migrate can be force-completed',
    );
    expect(() => abortAction(plan, 'nope', at(5), LIMITS)).toThrow(NotFoundError);
  });

  it('PlanStateMachine binds the limits, defaults filled in', () => {
    const machine = new PlanStateMachine(sequentialIds('c'), {
      maxActionsPerPlan: 1,
      deadlineSeconds: { notify: 5 },
    });
    expect(machine.limits.maxActionsPerPlan).toBe(1);
    expect(machine.limits.maxAttempts).toBe(3);
    expect(machine.limits.deadlineSeconds).toMatchObject({ notify: 5, 'live-migrate': 1800 });
    const started = machine.next(drainPlan(), at(0));
    expect(started.dispatched.map((a) => a.id)).toEqual(['a2']);
  });
});
