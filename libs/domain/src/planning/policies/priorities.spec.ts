import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { buildPlan } from '../plan-builder';
import {
  PLANNING,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../../testing/topology.fixture';

/**
 * Priorities (CONTRACT §9): when a plan cannot place every instance it has to move, the higher
 * priority ones are placed and started first, and the reason names each one left out and why.
 * Ids run against priority (a- is the lowest), so id order alone would choose the others.
 */
const plan = (policy: Parameters<typeof intent>[0], inv: ReturnType<typeof inventory>, id = 'h1') =>
  buildPlan(
    intent(policy, { kind: id.startsWith('h') ? 'host' : 'group', id }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );

const moved = (actions: ActionV1[]) =>
  actions.flatMap((a) => ('instanceId' in a.params ? [`${a.type} ${a.params.instanceId}`] : []));

/** Room for two 4-vCPU VMs on h2. */
const small = host('h2', { capacity: { vcpus: 8, memoryMb: 16384 } });

describe('priorities', () => {
  it('failover: the higher priorities get the scarce room, first in the plan; the reason names who is left down', () => {
    const inv = inventory(
      [host('h1'), small],
      [
        vm('a-low', 'h1', { priority: 10 }),
        vm('b-mid', 'h1'),
        vm('c-high', 'h1', { priority: 90 }),
        vm('d-low', 'h1', { priority: 20, resources: { vcpus: 8, memoryMb: 16384 } }),
      ],
    );
    const draft = plan('host-failover', inv);
    expect(draft.state).toBe('pending');
    expect(moved(draft.actions)).toEqual(['evacuate c-high', 'evacuate b-mid']);
    expect(draft.reason).toBe(
      'd-low (priority 20): no host has 8 vCPU / 16 GiB free; ' +
        'a-low (priority 10): no host has 4 vCPU / 8 GiB free',
    );
    // Every placement tried is in the explanation, highest priority first.
    expect(draft.explanation.placements.map((p) => [p.instanceId, p.ok])).toEqual([
      ['c-high', true],
      ['b-mid', true],
      ['d-low', false],
      ['a-low', false],
    ]);
  });

  it('failover: priority comes before a member that only restores a standby', () => {
    const full = inventory(
      [host('h1'), host('h2', { capacity: { vcpus: 4, memoryMb: 8192 } })],
      [member('s-1', 'h1', 'db', 'standby', { priority: 30 }), vm('v-1', 'h1', { priority: 10 })],
      [group('db', { antiAffinity: 'none' })],
    );
    // Equal room for one only: the standby (30) is placed, the down VM (10) is not.
    const draft = plan('host-failover', full);
    expect(moved(draft.actions)).toEqual(['evacuate s-1']);
    expect(draft.reason).toBe('v-1 (priority 10): no host has 4 vCPU / 8 GiB free');
  });

  it('failover: of two failed actives, the higher priority one gets the only standby', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3')],
      [
        member('w-1', 'h1', 'web', 'active', { priority: 20 }),
        member('w-2', 'h1', 'web', 'active', { priority: 80 }),
        member('w-s', 'h2', 'web', 'standby'),
      ],
      [group('web', { active: 2, antiAffinity: 'none' })],
    );
    const switchOver = plan('host-failover', inv).actions.find((a) => a.type === 'switch-over');
    expect(switchOver?.params).toEqual({
      groupId: 'web',
      fromInstanceId: 'w-2',
      toInstanceId: 'w-s',
    });
  });

  it('restore-redundancy: the higher priority member is re-placed when there is room for one', () => {
    const inv = inventory(
      [host('h1', { status: 'down' }), host('h2', { capacity: { vcpus: 4, memoryMb: 8192 } })],
      [
        member('a-1', 'h1', 'db', 'standby', { priority: 5 }),
        member('b-1', 'h1', 'db', 'standby', { priority: 60 }),
        member('c-a', 'h2', 'db', 'active', { resources: { vcpus: 0, memoryMb: 0 } }),
      ],
      [group('db', { standby: 2, antiAffinity: 'none' })],
    );
    const draft = plan('restore-redundancy', inv, 'db');
    expect(moved(draft.actions)).toEqual(['evacuate b-1']);
    expect(draft.reason).toBe('a-1 (priority 5): no host has 4 vCPU / 8 GiB free');
  });

  it('drain and migrate-off: placed largest first, moved highest priority first', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3')],
      [
        vm('a-big', 'h1', { priority: 10, resources: { vcpus: 8, memoryMb: 16384 } }),
        vm('b-small', 'h1', { priority: 70 }),
        vm('c-small', 'h1'),
      ],
    );
    for (const policy of ['host-drain', 'migrate-off'] as const) {
      const draft = plan(policy, inv);
      expect(draft.explanation.placements.map((p) => p.instanceId)).toEqual([
        'a-big',
        'b-small',
        'c-small',
      ]);
      expect(moved(draft.actions)).toEqual([
        'live-migrate b-small',
        'live-migrate c-small',
        'live-migrate a-big',
      ]);
    }
  });

  it('host-restore: restarts the highest priority first', () => {
    const inv = inventory(
      [host('h1', { status: 'maintenance' })],
      [
        vm('a', 'h1', { state: 'stopped', priority: 1 }),
        vm('b', 'h1', { state: 'stopped', priority: 100 }),
        vm('c', 'h1', { state: 'stopped' }),
      ],
    );
    expect(moved(plan('host-restore', inv).actions)).toEqual([
      'recover-instance b',
      'recover-instance c',
      'recover-instance a',
    ]);
  });
});
