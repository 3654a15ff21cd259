import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { HookRunner } from '../hooks/hook.runner';
import { ActionExecutor } from './action.executor';
import type { BackendAction, BackendHandle } from '../backends/backend.port';
import { SimulatorBackend } from '../backends/simulator/simulator.backend';
import { InMemorySimulatorStore } from '../backends/simulator/simulator.store';
import { oneVmTwoHosts } from '../backends/simulator/testing/simulated-topology';

const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('ActionExecutor with the simulator', () => {
  let store: InMemorySimulatorStore;
  let sim: SimulatorBackend;
  let executor: ActionExecutor;
  let events: DriverEventV1[];
  let handles: BackendHandle[];
  const listener = {
    emit: (e: DriverEventV1) => void events.push(e),
    started: (h: BackendHandle) => void handles.push(h),
  };
  let n = 0;
  const live = (deadlineMs = 10_000): BackendAction => ({
    actionId: `act-${++n}`,
    attempt: 1,
    type: 'live-migrate',
    params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
    deadline: inFuture(deadlineMs),
  });

  beforeEach(async () => {
    events = [];
    handles = [];
    // 200 MB at 1000 MB/s: a fifth of a second per migration.
    store = new InMemorySimulatorStore({ bandwidthMbps: 1000 });
    sim = new SimulatorBackend(store);
    executor = new ActionExecutor(() => sim, new HookRunner(), {
      pollIntervalMs: 10,
      abortGraceMs: 500,
    });
    await sim.seed(oneVmTwoHosts({ vcpus: 1, memoryMb: 200 }));
  });

  it('accepts, reports progress and succeeds; a redelivered command joins the same run', async () => {
    const action = live();
    const [first, second] = await Promise.all([
      executor.execute(action, listener),
      executor.execute(action, listener),
    ]);
    expect(second).toBe(first);
    expect(first).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(events[0].status).toBe('accepted');
    expect(events.filter((e) => e.status === 'progress').length).toBeGreaterThan(0);
    expect((await sim.calls()).filter((c) => c.method === 'start')).toHaveLength(1);
    expect(handles).toHaveLength(1);
  });

  it('times out a hung migration: aborts it, fails with `timeout`, runs the fail path', async () => {
    await sim.addFault({ action: 'live-migrate', effect: 'hang', count: 1 });
    const final = await executor.execute(live(150), listener);
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', retriable: false },
      detail: { failPath: ['cleaned up destination cmp-02'] },
    });
    const calls = (await sim.calls()).map((c) => c.method);
    expect(calls).toEqual(['start', 'abort', 'failPath']);
    expect((await sim.snapshot()).instances[0]).toMatchObject({
      hostId: 'cmp-01',
      state: 'running',
    });
  });

  it('aborts on request and reports `aborted`', async () => {
    await sim.configure({ dirtyRateMbps: 2000 });
    const action = live();
    const done = executor.execute(action, listener);
    await waitUntil(() => handles.length === 1);
    expect(await executor.abort(action.actionId)).toBe(true);
    expect(await done).toMatchObject({ status: 'aborted', error: { code: 'aborted' } });
  });

  it('force-completes a migration that cannot converge', async () => {
    await sim.configure({ dirtyRateMbps: 2000 });
    const action = live();
    const done = executor.execute(action, listener);
    await waitUntil(() => handles.length === 1);
    await executor.forceComplete(action.actionId);
    expect(await done).toMatchObject({ status: 'succeeded', detail: { forced: true } });
  });

  it('resumes after a restart: watches work in flight, never starts it again', async () => {
    await sim.configure({ dirtyRateMbps: 500 });
    const action = live();
    await sim.start(action);
    const restarted = new ActionExecutor(() => new SimulatorBackend(store), new HookRunner(), {
      pollIntervalMs: 10,
    });
    expect(await restarted.resume(action, listener)).toMatchObject({ status: 'succeeded' });
    expect(await restarted.resume(action, listener)).toMatchObject({ status: 'succeeded' });
    const starts = (await sim.calls()).filter((c) => c.method === 'start');
    expect(starts).toHaveLength(1);
  });

  it('acts on an abort asked for while a resumed action is being inspected', async () => {
    await sim.configure({ dirtyRateMbps: 2000 });
    const action = live();
    await sim.start(action);
    const done = executor.resume(action, listener);
    expect(await executor.abort(action.actionId)).toBe(true);
    expect(await done).toMatchObject({ status: 'aborted', error: { code: 'aborted' } });
  });

  it('fails at once when the deadline has already passed, without touching the backend', async () => {
    const final = await executor.execute(live(-1), listener);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    expect(await sim.calls()).toEqual([]);
  });
});

async function waitUntil(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!probe()) throw new Error('condition not met');
}
