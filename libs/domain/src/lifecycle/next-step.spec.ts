import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { NOW, sequentialIds } from '../testing/topology.fixture';
import { LIMITS, at, drainPlan, reply, states } from '../testing/lifecycle.fixture';
import type { ExecutablePlan } from './lifecycle.types';
import { RunningIndex } from './dispatch';
import { nextStep } from './next-step';
import { approvePlan } from './operator-commands';

let ids: () => string;
beforeEach(() => {
  ids = sequentialIds('c');
});
const step = (plan: ExecutablePlan, seconds: number, otherRunning: ActionV1[] = []) =>
  nextStep(plan, at(seconds), LIMITS, { ids, otherRunning });

/** Runs the drain up to its three live migrations running. */
function migrating(over: Parameters<typeof drainPlan>[0] = {}): ExecutablePlan {
  let plan = step(drainPlan(over), 0).plan;
  plan = reply(plan, 'a2', 'succeeded', 1);
  return step(step(plan, 1, []).plan, 1).plan;
}

describe('nextStep', () => {
  it('starts an auto plan: the root action runs, with an execute command and its deadline', () => {
    const result = step(drainPlan(), 0);
    expect(result.plan.state).toBe('running');
    expect(result.plan.startedAt).toBe(NOW);
    expect(result.dispatched.map((a) => a.id)).toEqual(['a2']);
    expect(result.commands).toEqual([
      {
        kind: 'execute',
        actionId: 'a2',
        planId: 'a1',
        attempt: 1,
        type: 'set-host-status',
        params: { hostId: 'h1', status: 'disabled', previousStatus: 'up' },
        deadline: at(60),
      },
    ]);
    expect(result.events.map((e) => [e.type, e.actionId, e.from, e.to])).toEqual([
      ['plan.state', null, 'pending', 'running'],
      ['action.state', 'a2', 'pending', 'running'],
    ]);
    // Nothing new: calling again changes nothing.
    const again = step(result.plan, 0);
    expect(again.events).toEqual([]);
    expect(again.commands).toEqual([]);
  });

  it('waits for approval in manual mode', () => {
    const plan = drainPlan({ mode: 'manual' });
    expect(step(plan, 0)).toMatchObject({ dispatched: [], events: [], finished: null });
    const approved = approvePlan(plan, at(5), LIMITS, { by: 'alice' }).plan;
    expect(approved.state).toBe('pending');
    expect(step(approved, 5).dispatched.map((a) => a.id)).toEqual(['a2']);
  });

  it('dispatches ready actions within the live-migrations-per-source-host limit', () => {
    let plan = step(drainPlan(), 0).plan;
    plan = reply(plan, 'a2', 'succeeded', 1);
    const result = step(plan, 1);
    expect(result.dispatched.map((a) => [a.id, a.type])).toEqual([
      ['a3', 'live-migrate'],
      ['a4', 'live-migrate'],
    ]);
    expect(states(result.plan)).toMatchObject({ a3: 'running', a4: 'running', a5: 'pending' });
    const next = step(reply(result.plan, 'a3', 'succeeded', 30), 30);
    expect(next.dispatched.map((a) => a.id)).toEqual(['a5']);
  });

  it('counts live migrations of other plans against the source host, and the per-plan budget', () => {
    let plan = step(drainPlan(), 0).plan;
    plan = reply(plan, 'a2', 'succeeded', 1);
    const elsewhere = {
      ...plan.actions[1],
      id: 'x1',
      planId: 'other',
      params: { instanceId: 'vm-9', fromHostId: 'h1', toHostId: 'h3' },
      state: 'running' as const,
    };
    expect(step(plan, 1, [elsewhere]).dispatched.map((a) => a.id)).toEqual(['a3']);
    // The same counted once into an index, as a planning batch hands it over.
    const indexed = nextStep(plan, at(1), LIMITS, {
      ids,
      otherRunning: new RunningIndex([elsewhere]),
    });
    expect(indexed.dispatched.map((a) => a.id)).toEqual(['a3']);
    const tight = nextStep(plan, at(1), { ...LIMITS, maxActionsPerPlan: 1 }, { ids });
    expect(tight.dispatched.map((a) => a.id)).toEqual(['a3']);
  });

  it('holds back an action whose instance another plan is still working on', () => {
    let plan = step(drainPlan(), 0).plan;
    plan = reply(plan, 'a2', 'succeeded', 1);
    const aborting = {
      ...plan.actions[1],
      id: 'x1',
      planId: 'superseded',
      type: 'recover-instance' as const,
      params: { instanceId: 'vm-1' },
      state: 'running' as const,
    };
    // a3 moves vm-1: it waits; a4 and a5 take the two live-migration slots of h1.
    expect(step(plan, 1, [aborting]).dispatched.map((a) => a.id)).toEqual(['a4', 'a5']);
    const indexed = nextStep(plan, at(1), LIMITS, {
      ids,
      otherRunning: new RunningIndex([aborting]),
    });
    expect(indexed.dispatched.map((a) => a.id)).toEqual(['a4', 'a5']);
  });

  it('finishes succeeded, with inventory changes reported by each success', () => {
    let plan = migrating();
    plan = reply(plan, 'a3', 'succeeded', 10);
    plan = reply(plan, 'a4', 'succeeded', 10);
    plan = step(plan, 10).plan;
    plan = reply(plan, 'a5', 'succeeded', 20);
    plan = step(plan, 20).plan;
    plan = reply(plan, 'a6', 'succeeded', 21);
    const done = step(plan, 21);
    expect(done.finished).toBe('succeeded');
    expect(done.plan).toMatchObject({ state: 'succeeded', finishedAt: at(21) });
  });

  it('finishes an empty plan at once', () => {
    const plan = { ...drainPlan(), actions: [] };
    const done = step(plan, 0);
    expect(done.finished).toBe('succeeded');
    expect(done.events.map((e) => e.to)).toEqual(['running', 'succeeded']);
  });

  describe('onFailure: rollback', () => {
    it('compensates succeeded actions in reverse order, one after the other', () => {
      let plan = migrating();
      plan = reply(plan, 'a3', 'succeeded', 10);
      plan = reply(plan, 'a4', 'failed', 11, {
        error: { code: 'MIGRATION_FAILED', message: 'dirty rate too high', retriable: false },
      });
      const undo = step(plan, 11);
      expect(undo.plan.state).toBe('rolling_back');
      expect(states(undo.plan)).toMatchObject({ a4: 'failed', a5: 'skipped', a6: 'skipped' });
      expect(undo.plan.actions.find((a) => a.id === 'a4')!.error).toBe(
        'MIGRATION_FAILED: dirty rate too high',
      );
      // Most recently finished first (a3 at 10s, then a2 at 1s); each waits for the one before.
      expect(
        undo.compensations.map((c) => [
          c.id,
          c.seq,
          c.type,
          c.params,
          c.dependsOn,
          c.compensationFor,
        ]),
      ).toEqual([
        [
          'c1',
          6,
          'live-migrate',
          { instanceId: 'vm-1', fromHostId: 'h2', toHostId: 'h1' },
          [],
          'a3',
        ],
        [
          'c2',
          7,
          'set-host-status',
          { hostId: 'h1', status: 'up', previousStatus: 'disabled' },
          ['c1'],
          'a2',
        ],
      ]);
      expect(undo.dispatched.map((a) => a.id)).toEqual(['c1']);

      plan = reply(undo.plan, 'c1', 'succeeded', 20);
      const second = step(plan, 20);
      expect(states(second.plan)).toMatchObject({ a3: 'compensated', c2: 'running' });
      plan = reply(second.plan, 'c2', 'succeeded', 21);
      const done = step(plan, 21);
      expect(done.finished).toBe('rolled_back');
      expect(states(done.plan)).toMatchObject({
        a2: 'compensated',
        a3: 'compensated',
        a4: 'failed',
      });
    });

    it('aborts running actions first and compensates them too if they still succeeded', () => {
      let plan = migrating();
      plan = reply(plan, 'a4', 'failed', 11);
      const rolling = step(plan, 11);
      expect(rolling.commands.map((c) => [c.kind, c.actionId])).toEqual([['abort', 'a3']]);
      expect(step(rolling.plan, 12).compensations).toEqual([]);
      plan = reply(rolling.plan, 'a3', 'succeeded', 13);
      expect(step(plan, 13).compensations.map((c) => c.compensationFor)).toEqual(['a3', 'a2']);
    });

    it('fails the plan when a compensation fails', () => {
      let plan = migrating();
      plan = reply(plan, 'a3', 'failed', 11);
      plan = reply(plan, 'a4', 'aborted', 11);
      const undo = step(plan, 12);
      expect(undo.compensations.map((c) => c.compensationFor)).toEqual(['a2']);
      const failed = step(reply(undo.plan, undo.compensations[0].id, 'failed', 13), 13);
      expect(failed.finished).toBe('failed');
    });

    it('rolls back to nothing when nothing had succeeded', () => {
      let plan = step(drainPlan(), 0).plan;
      plan = reply(plan, 'a2', 'failed', 1);
      expect(step(plan, 1).finished).toBe('rolled_back');
    });
  });

  it('onFailure stop: skips everything not started, lets running ones finish, then fails', () => {
    let plan = migrating({ onFailure: 'stop' });
    plan = reply(plan, 'a3', 'failed', 11);
    const stopped = step(plan, 11);
    expect(stopped.plan.state).toBe('running');
    expect(stopped.dispatched).toEqual([]);
    expect(states(stopped.plan)).toMatchObject({ a4: 'running', a5: 'skipped', a6: 'skipped' });
    const done = step(reply(stopped.plan, 'a4', 'succeeded', 12), 12);
    expect(done.finished).toBe('failed');
    expect(done.commands).toEqual([]);
  });

  it('onFailure continue: skips only what depends on the failure, runs the rest, then fails', () => {
    let plan = migrating({ onFailure: 'continue' });
    plan = reply(plan, 'a3', 'failed', 11);
    const going = step(plan, 11);
    expect(going.dispatched.map((a) => a.id)).toEqual(['a5']);
    expect(states(going.plan)).toMatchObject({
      a3: 'failed',
      a4: 'running',
      a5: 'running',
      a6: 'skipped',
    });
    plan = reply(reply(going.plan, 'a4', 'succeeded', 12), 'a5', 'succeeded', 12);
    const done = step(plan, 12);
    expect(done.finished).toBe('failed');
    expect(done.events.at(-1)!.detail).toEqual({ failed: ['a3'] });
  });

  it('retries a retriable failure up to maxAttempts, then fails', () => {
    let plan = migrating({ onFailure: 'stop' });
    const retriable = { error: { code: 'BUSY', message: 'try later', retriable: true } };
    plan = reply(plan, 'a3', 'failed', 11, retriable);
    expect(states(plan).a3).toBe('pending');
    let result = step(plan, 11);
    expect(result.commands.map((c) => [c.actionId, c.attempt])).toEqual([['a3', 2]]);
    plan = reply(result.plan, 'a3', 'failed', 12, retriable);
    result = step(plan, 12);
    expect(result.commands.map((c) => [c.actionId, c.attempt])).toEqual([['a3', 3]]);
    plan = reply(result.plan, 'a3', 'failed', 13, retriable);
    expect(states(plan).a3).toBe('failed');
    expect(plan.actions.find((a) => a.id === 'a3')!.attempts).toBe(3);
  });

  it('fails an action the driver never reported on by its deadline, and aborts it', () => {
    const plan = migrating({ onFailure: 'continue' });
    const lmDeadline = 1 + 1800;
    expect(step(plan, lmDeadline + 60).events).toEqual([]);
    const late = step(plan, lmDeadline + 61);
    expect(late.commands.filter((c) => c.kind === 'abort').map((c) => c.actionId)).toEqual([
      'a3',
      'a4',
    ]);
    expect(late.plan.actions.find((a) => a.id === 'a3')!.error).toBe(
      `no result from the driver by the deadline ${at(lmDeadline)}`,
    );
  });

  it('tries a host action again when its result never came by the deadline, up to maxAttempts', () => {
    let result = step(drainPlan({ onFailure: 'continue' }), 0);
    const first = result.commands.find((c) => c.actionId === 'a2')!;
    expect(first).toMatchObject({ kind: 'execute', type: 'set-host-status', attempt: 1 });
    const overdue = (deadline: string) =>
      (Date.parse(deadline) - Date.parse(at(0))) / 1000 + LIMITS.deadlineGraceSeconds + 1;
    let deadline = first.deadline;
    for (const attempt of [2, 3]) {
      result = step(result.plan, overdue(deadline));
      expect(result.commands.map((c) => [c.kind, c.actionId, c.attempt])).toEqual([
        ['abort', 'a2', attempt - 1],
        ['execute', 'a2', attempt],
      ]);
      deadline = result.commands[1].deadline;
    }
    result = step(result.plan, overdue(deadline));
    expect(states(result.plan).a2).toBe('failed');
    expect(result.commands.map((c) => [c.kind, c.attempt])).toEqual([['abort', 3]]);
  });
});
