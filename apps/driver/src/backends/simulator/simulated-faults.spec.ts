import { ValidationError } from '@reflex/common';
import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import * as topology from '@reflex/domain/testing/topology.fixture';
import type { BackendAction } from '../backend.port';
import { SimulatedCloud } from './simulated-cloud';
import { parseFault } from './simulated-faults';
import { emptySimState, type SimState } from './simulator.state';
import { backendMove, FAR_DEADLINE } from './testing/simulated-topology';

const host = (id: string) => topology.host(id, { capacity: { vcpus: 16, memoryMb: 16384 } });
const vm = (id: string, hostId: string, state: InstanceV1['state'] = 'running'): InstanceV1 =>
  topology.vm(id, hostId, { state, resources: { vcpus: 2, memoryMb: id === 'vm-03' ? 0 : 1000 } });
describe('simulator faults', () => {
  let state: SimState;
  let cloud: SimulatedCloud;
  beforeEach(() => {
    state = emptySimState({ bandwidthMbps: 1000 });
    cloud = new SimulatedCloud(state);
    cloud.seed({
      hosts: [host('cmp-01'), host('cmp-02'), host('cmp-03')],
      instances: [vm('vm-01', 'cmp-01'), vm('vm-03', 'cmp-01', 'stopped'), vm('vm-04', 'cmp-03')],
      groups: [],
    });
  });
  const where = (id: string) => cloud.snapshot(0).instances.filter((i) => i.id === id);

  it('parses the control API body, naming bad fields', () => {
    expect(parseFault({ action: 'evacuate', hostId: 'cmp-01', effect: 'slow' })).toEqual({
      action: 'evacuate',
      hostId: 'cmp-01',
      effect: 'slow',
      count: 1,
    });
    let error: unknown;
    try {
      parseFault({ action: 'reboot', effect: 'fail', count: 0, colour: 'red' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.path).sort()).toEqual([
      '/action',
      '/colour',
      '/count',
    ]);
  });

  it('fail: fails half-way, only for matching calls, count times', () => {
    cloud.addFault({ action: 'live-migrate', instanceId: 'vm-01', effect: 'fail', count: 1 });
    const other = backendMove('live-migrate', 'vm-04', 'cmp-03', 'cmp-02');
    cloud.start(other, 0);
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.advance(400);
    expect(cloud.operation(a)!.status).toBe('running');
    cloud.advance(600);
    expect(cloud.operation(a)).toMatchObject({
      status: 'failed',
      error: { code: 'simulated-failure' },
    });
    expect(where('vm-01')[0]).toMatchObject({ hostId: 'cmp-01', state: 'running' });
    expect(state.faults).toEqual([]);
    cloud.advance(5000);
    expect(cloud.operation(other)!.status).toBe('succeeded');
  });

  it('hang: no progress until aborted, and force-complete does not help', () => {
    cloud.addFault({ action: 'live-migrate', hostId: 'cmp-02', effect: 'hang', count: 2 });
    const a = backendMove('live-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.advance(60_000);
    cloud.forceComplete(a, 60_000);
    expect(cloud.operation(a)).toMatchObject({ status: 'running', processedMb: 0 });
    cloud.abort(a, 60_001);
    expect(cloud.operation(a)!.status).toBe('aborted');
    expect(state.faults[0].count).toBe(1);
  });

  it('slow: ten times longer', () => {
    cloud.addFault({ action: 'cold-migrate', effect: 'slow', count: 1 });
    const a = backendMove('cold-migrate', 'vm-01', 'cmp-01', 'cmp-02');
    cloud.start(a, 0);
    cloud.advance(9_900);
    expect(cloud.operation(a)!.status).toBe('running');
    cloud.advance(10_000);
    expect(cloud.operation(a)!.status).toBe('succeeded');
  });

  it('fail on a timed action fails it at once, retriably', () => {
    cloud.addFault({ action: 'recover-instance', effect: 'fail', count: 1 });
    const a: BackendAction = {
      actionId: 'r1',
      attempt: 1,
      type: 'recover-instance',
      params: { instanceId: 'vm-03' },
      deadline: FAR_DEADLINE,
    };
    cloud.start(a, 0);
    expect(cloud.operation(a)).toMatchObject({ status: 'failed', error: { retriable: true } });
    expect(where('vm-03')[0].state).toBe('stopped');
  });
});
