import { ValidationError } from '@reflex/common';
import { BackendError } from '../backend.errors';
import type { BackendAction } from '../backend.port';
import { SimulatorBackend } from './simulator.backend';
import { InMemorySimulatorStore } from './simulator.store';
import { FAR_DEADLINE, oneVmTwoHosts } from './testing/simulated-topology';

const live: BackendAction = {
  actionId: 'act-1',
  attempt: 1,
  type: 'live-migrate',
  params: { instanceId: 'vm-01', fromHostId: 'cmp-01', toHostId: 'cmp-02' },
  deadline: FAR_DEADLINE,
};

describe('SimulatorBackend', () => {
  let now: number;
  let store: InMemorySimulatorStore;
  let backend: SimulatorBackend;
  beforeEach(async () => {
    now = 0;
    store = new InMemorySimulatorStore({ bandwidthMbps: 100 });
    backend = new SimulatorBackend(store, () => now);
    await backend.seed(oneVmTwoHosts({ vcpus: 2, memoryMb: 1000 }));
  });

  it('reports progress, then success, and survives a driver restart on the same store', async () => {
    const handle = await backend.start(live);
    now = 4_000;
    expect(await backend.poll(handle)).toMatchObject({ status: 'running', progress: 40 });

    // A new driver process: same store, no memory of the handle; inspect finds the migration.
    const restarted = new SimulatorBackend(store, () => now);
    const found = await restarted.inspect(live);
    expect(found).toMatchObject({ state: 'running', handle: { ref: { op: 'act-1#1' } } });
    expect(await restarted.start(live)).toEqual(handle);
    now = 10_000;
    expect(await restarted.poll(found.handle!)).toMatchObject({
      status: 'succeeded',
      progress: 100,
    });
    const snapshot = await restarted.snapshot();
    expect(snapshot.instances[0]).toMatchObject({ hostId: 'cmp-02', state: 'running' });
    const calls = await restarted.calls();
    expect(calls.map((c) => `${c.method}:${c.outcome}`)).toEqual([
      'start:started',
      'start:existing',
    ]);
  });

  it('throws refusals as typed errors and still logs the call', async () => {
    const full = { ...live, params: { ...live.params, toHostId: 'cmp-01' } };
    await expect(backend.start(full)).rejects.toMatchObject({
      code: 'invalid-state',
      retriable: false,
    });
    expect((await backend.calls())[0]).toMatchObject({ method: 'start', outcome: 'rejected' });
  });

  it('force-complete is for live migration only', async () => {
    const cold = { ...live, actionId: 'act-2', type: 'cold-migrate' } as BackendAction;
    const handle = await backend.start(cold);
    const error = await backend.forceComplete(handle).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'unsupported', retriable: false });
    expect((await backend.calls()).at(-1)).toMatchObject({
      method: 'forceComplete',
      outcome: 'rejected',
    });
  });

  it('validates fault bodies like the control API', async () => {
    await expect(backend.addFault({ action: 'live-migrate', effect: 'explode' })).rejects.toThrow(
      ValidationError,
    );
    await backend.addFault({ action: 'live-migrate', effect: 'fail' });
    const handle = await backend.start(live);
    now = 6_000;
    expect(await backend.poll(handle)).toMatchObject({
      status: 'failed',
      error: { code: 'simulated-failure', retriable: true },
    });
    expect(await backend.inspect(live)).toMatchObject({ state: 'half-done' });
    expect(await backend.failPath(live)).toEqual({ steps: ['cleaned up destination cmp-02'] });
  });
});
