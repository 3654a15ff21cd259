import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { host, inventory, member, vm } from '../testing/topology.fixture';
import { compensationOf } from './compensation';
import { applyInventoryChanges, inventoryEffects } from './inventory-effects';

const action = (type: ActionV1['type'], params: object): ActionV1 =>
  ({
    id: 'x',
    planId: 'p',
    seq: 1,
    type,
    params,
    dependsOn: [],
    state: 'succeeded',
    attempts: 1,
    progress: 100,
    startedAt: null,
    finishedAt: null,
    error: null,
    compensationFor: null,
  }) as ActionV1;

const move = { instanceId: 'vm-1', fromHostId: 'h1', toHostId: 'h2' };

describe('inventoryEffects', () => {
  it.each([
    [
      'live-migrate',
      move,
      [{ kind: 'instance', id: 'vm-1', set: { hostId: 'h2', state: 'running' } }],
    ],
    ['evacuate', move, [{ kind: 'instance', id: 'vm-1', set: { hostId: 'h2', state: 'running' } }]],
    ['cold-migrate', move, [{ kind: 'instance', id: 'vm-1', set: { hostId: 'h2' } }]],
    [
      'switch-over',
      { groupId: 'g', fromInstanceId: 'a', toInstanceId: 's' },
      [
        { kind: 'instance', id: 'a', set: { role: 'standby' } },
        { kind: 'instance', id: 's', set: { role: 'active' } },
      ],
    ],
    [
      'recover-instance',
      { instanceId: 'a' },
      [{ kind: 'instance', id: 'a', set: { state: 'running' } }],
    ],
    [
      'set-host-status',
      { hostId: 'h1', status: 'down' },
      [{ kind: 'host', id: 'h1', set: { status: 'down' } }],
    ],
    ['fence-host', { hostId: 'h1' }, [{ kind: 'host', id: 'h1', set: { status: 'down' } }]],
    ['notify', { message: 'm', severity: 'info' }, []],
  ] as const)('%s', (type, params, expected) => {
    expect(inventoryEffects(action(type, params))).toEqual(expected);
  });

  it('applies changes to a copy', () => {
    const inv = inventory(
      [host('h1'), host('h2')],
      [vm('vm-1', 'h1'), member('a', 'h1', 'g', 'active')],
    );
    const next = applyInventoryChanges(inv, [
      ...inventoryEffects(action('live-migrate', move)),
      ...inventoryEffects(action('set-host-status', { hostId: 'h1', status: 'maintenance' })),
      { kind: 'instance', id: 'ghost', set: { state: 'running' } },
    ]);
    expect(next.instances.find((i) => i.id === 'vm-1')!.hostId).toBe('h2');
    expect(next.hosts[0].status).toBe('maintenance');
    expect(inv.instances[0].hostId).toBe('h1');
    expect(inv.hosts[0].status).toBe('up');
  });
});

describe('compensationOf (CONTRACT §6)', () => {
  it.each([
    [
      'live-migrate',
      move,
      { type: 'live-migrate', params: { instanceId: 'vm-1', fromHostId: 'h2', toHostId: 'h1' } },
    ],
    [
      'cold-migrate',
      move,
      { type: 'cold-migrate', params: { instanceId: 'vm-1', fromHostId: 'h2', toHostId: 'h1' } },
    ],
    [
      'switch-over',
      { groupId: 'g', fromInstanceId: 'a', toInstanceId: 's' },
      { type: 'switch-over', params: { groupId: 'g', fromInstanceId: 's', toInstanceId: 'a' } },
    ],
    [
      'set-host-status',
      { hostId: 'h1', status: 'disabled', previousStatus: 'up' },
      {
        type: 'set-host-status',
        params: { hostId: 'h1', status: 'up', previousStatus: 'disabled' },
      },
    ],
    ['set-host-status', { hostId: 'h1', status: 'disabled' }, null],
    ['evacuate', move, null],
    ['fence-host', { hostId: 'h1' }, null],
    ['recover-instance', { instanceId: 'a' }, null],
    ['notify', { message: 'm', severity: 'info' }, null],
  ] as const)('%s %j', (type, params, expected) => {
    expect(compensationOf(action(type, params))).toEqual(expected);
  });
});
