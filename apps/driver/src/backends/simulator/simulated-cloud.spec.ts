import type { InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import * as topology from '@reflex/domain/testing/topology.fixture';
import type { BackendAction } from '../backend.port';
import { SimulatedCloud } from './simulated-cloud';
import { emptySimState, type SimState } from './simulator.state';
import { backendMove, FAR_DEADLINE } from './testing/simulated-topology';

const host = (id: string, memoryMb = 16384, status: 'up' | 'down' | 'disabled' = 'up') =>
  topology.host(id, { status, capacity: { vcpus: 16, memoryMb } });

const vm = (id: string, hostId: string, memoryMb: number, extra: Partial<InstanceV1> = {}) =>
  topology.vm(id, hostId, { resources: { vcpus: 2, memoryMb }, ...extra });

function inventory(): InventoryV1 {
  return {
    hosts: [host('cmp-01'), host('cmp-02'), host('cmp-03', 4096), host('cmp-04', 16384, 'down')],
    instances: [
      vm('vm-01', 'cmp-01', 1000, { groupId: 'db', role: 'active' }),
      vm('vm-02', 'cmp-02', 1000, { groupId: 'db', role: 'standby' }),
      vm('vm-03', 'cmp-01', 0, { state: 'stopped' }),
      vm('vm-04', 'cmp-03', 4000),
      vm('bm-01', 'cmp-01', 1000, { kind: 'baremetal' }),
    ],
    groups: [{ id: 'db', active: 1, standby: 1, antiAffinity: 'host' }],
  };
}

describe('SimulatedCloud', () => {
  let state: SimState;
  let cloud: SimulatedCloud;
  beforeEach(() => {
    state = emptySimState({ bandwidthMbps: 1000 });
    cloud = new SimulatedCloud(state);
    cloud.seed(inventory());
  });
  const where = (id: string) => cloud.snapshot(0).instances.filter((i) => i.id === id);

  it('converges in memory / (bandwidth - dirty rate) and cuts over only then', () => {
    cloud.configure({ dirtyRateMbps: 500 });
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    const started = cloud.start(a, 0);
    expect(started.outcome).toBe('started');
    cloud.advance(1000);
    expect(cloud.operation(a)).toMatchObject({
      status: 'running',
      remainingMb: 500,
      processedMb: 1000,
    });
    // Never on two hosts: still exactly once, on the source, while memory is copied.
    expect(where('vm-01')).toEqual([
      expect.objectContaining({ hostId: 'cmp-01', state: 'migrating' }),
    ]);
    cloud.advance(2000);
    expect(cloud.operation(a)).toMatchObject({ status: 'succeeded', claim: null });
    expect(where('vm-01')).toEqual([
      expect.objectContaining({ hostId: 'cmp-02', state: 'running' }),
    ]);
  });

  it('never converges when the dirty rate reaches the bandwidth; force-complete finishes it', () => {
    cloud.configure({ dirtyRateByInstance: { 'vm-01': 1000 } });
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.advance(3_600_000);
    expect(cloud.operation(a)).toMatchObject({ status: 'running', remainingMb: 1000 });
    expect(cloud.operation(a)!.processedMb).toBeGreaterThan(1000);
    cloud.forceComplete(a, 3_600_001);
    expect(cloud.operation(a)).toMatchObject({ status: 'succeeded', forced: true });
    expect(where('vm-01')[0].hostId).toBe('cmp-02');
  });

  it('completes a zero-memory migration at once', () => {
    const a = backendMove('cold-migrate', 'vm-03', 'cmp-01', 'cmp-02');
    cloud.start(a, 5);
    expect(cloud.operation(a)!.status).toBe('succeeded');
    expect(where('vm-03')[0]).toMatchObject({ hostId: 'cmp-02', state: 'stopped' });
  });

  it('refuses a full, down or unknown destination, not retriable, and logs the refusal', () => {
    const full = cloud.start(backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-03'), 0);
    expect(full).toMatchObject({
      outcome: 'rejected',
      error: { code: 'destination-full', retriable: false },
    });
    const down = cloud.start(backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-04'), 0);
    expect(down).toMatchObject({ error: { code: 'destination-unavailable', retriable: false } });
    const bm = cloud.start(backendMove('live-migrate', 'bm-01', 'cmp-01', 'cmp-02'), 0);
    expect(bm).toMatchObject({ error: { code: 'unsupported' } });
    const unknown = cloud.start(backendMove('evacuate', 'vm-01', 'cmp-01', 'cmp-99'), 0);
    expect(unknown).toMatchObject({ error: { code: 'destination-unavailable', retriable: false } });
    expect(where('vm-01')[0]).toMatchObject({ hostId: 'cmp-01', state: 'running' });
    expect(cloud.calls().map((c) => c.outcome)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
  });

  it('counts in-flight claims against the destination', () => {
    cloud.configure({ dirtyRateMbps: 1000 });
    state.hosts['cmp-02'].capacity.memoryMb = 2500;
    state.instances['vm-04'].resources.memoryMb = 1000;
    const vm04 = backendMove('live-migrate', 'vm-04', 'cmp-03', 'cmp-02');
    // 2500 - 1000 (vm-02) leaves room for one 1000 MB guest, not two: the first holds a claim.
    const vm01 = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(vm01, 0);
    expect(cloud.start(vm04, 0)).toMatchObject({ error: { code: 'destination-full' } });
    cloud.abort(vm01, 1);
    // Aborted, but the destination is not cleaned up until the fail path runs.
    expect(cloud.start({ ...vm04, actionId: 'x1' }, 2)).toMatchObject({ outcome: 'rejected' });
    cloud.failPath(vm01, 3);
    expect(cloud.start({ ...vm04, actionId: 'x2' }, 4).outcome).toBe('started');
  });

  it('takes everything on a host down with it and fails migrations off it', () => {
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.failHost('cmp-01', 100);
    expect(cloud.operation(a)).toMatchObject({
      status: 'failed',
      error: { code: 'host-unavailable' },
    });
    const snap = cloud.snapshot(100);
    expect(snap.instances.filter((i) => i.hostId === 'cmp-01').map((i) => [i.id, i.state])).toEqual(
      [
        ['bm-01', 'error'],
        ['vm-01', 'error'],
        ['vm-03', 'stopped'],
      ],
    );
    expect(snap.hosts.find((h) => h.id === 'cmp-01')!.status).toBe('down');
  });

  it('keeps the instance on the source when the destination dies; the fail path cleans it', () => {
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.failHost('cmp-02', 100);
    expect(where('vm-01')[0]).toMatchObject({ hostId: 'cmp-01', state: 'running' });
    expect(cloud.inspect(a, 100).state).toBe('half-done');
    expect(cloud.failPath(a, 200)).toEqual(['cleaned up destination cmp-02']);
    expect(cloud.inspect(a, 200).state).toBe('failed');
    expect(cloud.failPath(a, 300)).toEqual([]);
  });

  it('starts each (actionId, attempt) once', () => {
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    expect(cloud.start(a, 0).outcome).toBe('started');
    expect(cloud.start(a, 10).outcome).toBe('existing');
    cloud.advance(5000);
    // Even after it finished, a redelivered command must not migrate again.
    expect(cloud.start(a, 6000).outcome).toBe('existing');
    expect(cloud.calls().filter((c) => c.outcome === 'started')).toHaveLength(1);
    expect(Object.keys(state.operations)).toEqual([`${a.actionId}#1`]);
  });

  it('refuses a second migration of a busy instance, retriably', () => {
    cloud.configure({ dirtyRateMbps: 2000 });
    cloud.start(backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02'), 0);
    const again = cloud.start(backendMove('cold-migrate', 'vm-01', 'cmp-01', 'cmp-02'), 1);
    expect(again).toMatchObject({ error: { code: 'instance-busy', retriable: true } });
  });

  it('cold-migrate fail path cleans the destination and starts the instance on the source', () => {
    const a = backendMove('cold-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.abort(a, 100);
    expect(where('vm-01')[0]).toMatchObject({ hostId: 'cmp-01', state: 'stopped' });
    expect(cloud.failPath(a, 100)).toEqual([
      'cleaned up destination cmp-02',
      'started vm-01 on cmp-01',
    ]);
    expect(where('vm-01')[0].state).toBe('running');
  });

  it('evacuates only off a down source', () => {
    expect(cloud.start(backendMove('evacuate', 'vm-01', 'cmp-01', 'cmp-02'), 0)).toMatchObject({
      error: { code: 'invalid-state' },
    });
    cloud.failHost('cmp-01', 0);
    const a = backendMove('evacuate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.advance(1000);
    expect(where('vm-01')[0]).toMatchObject({ hostId: 'cmp-02', state: 'running' });
  });

  it('switch-over swaps roles, needs a running to-instance, and its fail path keeps roles', () => {
    const params = { groupId: 'db', fromInstanceId: 'vm-01', toInstanceId: 'vm-02' };
    const a: BackendAction = {
      actionId: 's1',
      attempt: 1,
      type: 'switch-over',
      params,
      deadline: FAR_DEADLINE,
    };
    cloud.start(a, 0);
    expect([state.instances['vm-01'].role, state.instances['vm-02'].role]).toEqual([
      'standby',
      'active',
    ]);

    cloud.addFault({ action: 'switch-over', effect: 'fail', count: 1 });
    const back = {
      ...a,
      actionId: 's2',
      params: { ...params, fromInstanceId: 'vm-02', toInstanceId: 'vm-01' },
    };
    cloud.start(back, 1);
    expect(cloud.failPath(back, 2)).toEqual([]);
    expect(state.instances['vm-02'].role).toBe('active');

    state.instances['vm-01'].state = 'error';
    const refused = cloud.start({ ...back, actionId: 's3' }, 3);
    expect(refused).toMatchObject({ error: { code: 'invalid-state', retriable: false } });
  });

  it('recover restarts in place as standby; fence powers the host off', () => {
    cloud.failHost('cmp-02', 0);
    state.hosts['cmp-02'].status = 'up';
    state.hosts['cmp-02'].power = 'on';
    cloud.start(
      {
        actionId: 'r',
        attempt: 1,
        type: 'recover-instance',
        params: { instanceId: 'vm-02' },
        deadline: FAR_DEADLINE,
      },
      1,
    );
    expect(state.instances['vm-02']).toMatchObject({
      hostId: 'cmp-02',
      state: 'running',
      role: 'standby',
    });

    cloud.start(
      {
        actionId: 'f',
        attempt: 1,
        type: 'fence-host',
        params: { hostId: 'cmp-02' },
        deadline: FAR_DEADLINE,
      },
      2,
    );
    expect(state.hosts['cmp-02']).toMatchObject({ status: 'down', power: 'off' });
    expect(state.instances['vm-02'].state).toBe('error');
  });

  it('inspect tells not-started, running and succeeded apart', () => {
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    expect(cloud.inspect(a, 0).state).toBe('not-started');
    cloud.start(a, 0);
    expect(cloud.inspect(a, 500).state).toBe('running');
    expect(cloud.inspect(a, 1500).state).toBe('succeeded');
  });
});
