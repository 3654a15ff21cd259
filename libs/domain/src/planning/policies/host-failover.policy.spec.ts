import { buildPlan } from '../plan-builder';
import {
  PLANNING,
  bm,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../../testing/topology.fixture';

const failover = (inv: ReturnType<typeof inventory>) =>
  buildPlan(
    intent('host-failover', { kind: 'host', id: 'h1' }, { onFailure: 'continue' }),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );

describe('host-failover policy', () => {
  const hosts = [host('h1'), host('h2'), host('h3', { zone: 'az2' }), host('h4', { zone: 'az2' })];
  const topology = inventory(
    hosts,
    [
      member('db-a', 'h1', 'db', 'active'),
      member('db-s', 'h2', 'db', 'standby'),
      member('cache-s', 'h1', 'cache', 'standby'),
      member('cache-a', 'h3', 'cache', 'active'),
      bm('bm-a', 'h1', { groupId: 'bmg', role: 'active' }),
      vm('vm-x', 'h1'),
    ],
    [group('db'), group('cache'), group('bmg', { standby: 0 })],
  );

  it('fences, marks down, switches over, evacuates and re-places standbys', () => {
    const draft = failover(topology);
    expect(draft.state).toBe('pending');
    expect(draft.actions.map((a) => [a.id, a.type, a.params, a.dependsOn])).toEqual([
      ['a2', 'fence-host', { hostId: 'h1' }, []],
      ['a3', 'set-host-status', { hostId: 'h1', status: 'down', previousStatus: 'up' }, ['a2']],
      [
        'a4',
        'switch-over',
        { groupId: 'db', fromInstanceId: 'db-a', toInstanceId: 'db-s' },
        ['a3'],
      ],
      // The ungrouped VM is down now: it is placed first, on the emptiest host.
      ['a5', 'evacuate', { instanceId: 'vm-x', fromHostId: 'h1', toHostId: 'h4' }, ['a3']],
      // The former active becomes db's standby elsewhere, never beside db-s (host anti-affinity).
      ['a6', 'evacuate', { instanceId: 'db-a', fromHostId: 'h1', toHostId: 'h3' }, ['a4']],
      ['a7', 'evacuate', { instanceId: 'cache-s', fromHostId: 'h1', toHostId: 'h2' }, ['a3']],
    ]);
    expect(draft.reason).toBe(
      'group bmg has no healthy standby for bm-a; ' +
        'bm-a is baremetal and cannot move off h1 (down); it recovers when the host is restored',
    );
    expect(draft.explanation.checks).toEqual(['group db: promote db-s (h2) in place of db-a']);
    expect(draft.holds.hosts).toEqual(['h1']);
    expect(draft.touches.hosts).toEqual(['h1', 'h2', 'h3', 'h4']);
    expect(draft.holds.groups).toEqual(['bmg', 'cache', 'db']);
  });

  it('reports an instance with nowhere to go and proceeds with the rest', () => {
    const inv = inventory(
      [host('h1'), host('h2', { capacity: { vcpus: 4, memoryMb: 8192 } })],
      [vm('vm-1', 'h1'), vm('vm-2', 'h1')],
    );
    const draft = failover(inv);
    expect(draft.state).toBe('pending');
    expect(draft.actions.map((a) => [a.type, a.params])).toEqual([
      ['fence-host', { hostId: 'h1' }],
      ['set-host-status', { hostId: 'h1', status: 'down', previousStatus: 'up' }],
      ['evacuate', { instanceId: 'vm-1', fromHostId: 'h1', toHostId: 'h2' }],
    ]);
    expect(draft.reason).toBe('vm-2 (priority 50): no host has 4 vCPU / 8 GiB free');
    expect(draft.explanation.placements.map((p) => [p.instanceId, p.ok])).toEqual([
      ['vm-1', true],
      ['vm-2', false],
    ]);
  });

  it('does not mark an already-down host down again', () => {
    const inv = inventory([host('h1', { status: 'down' }), host('h2')], [vm('vm-1', 'h1')]);
    const draft = failover(inv);
    expect(draft.actions.map((a) => [a.id, a.type, a.dependsOn])).toEqual([
      ['a2', 'fence-host', []],
      ['a3', 'evacuate', ['a2']],
    ]);
  });

  it('promotes each standby once when two actives of a group fail together', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3')],
      [
        member('w-1', 'h1', 'web', 'active'),
        member('w-2', 'h1', 'web', 'active'),
        member('w-s', 'h2', 'web', 'standby'),
      ],
      [group('web', { active: 2, antiAffinity: 'none' })],
    );
    const draft = failover(inv);
    expect(draft.actions.map((a) => [a.type, a.params])).toEqual([
      ['fence-host', { hostId: 'h1' }],
      ['set-host-status', { hostId: 'h1', status: 'down', previousStatus: 'up' }],
      ['switch-over', { groupId: 'web', fromInstanceId: 'w-1', toInstanceId: 'w-s' }],
      ['evacuate', { instanceId: 'w-2', fromHostId: 'h1', toHostId: 'h3' }],
      ['evacuate', { instanceId: 'w-1', fromHostId: 'h1', toHostId: 'h2' }],
    ]);
    expect(draft.reason).toBe('group web has no healthy standby for w-2');
  });

  it('is blocked for an unknown host', () => {
    const draft = buildPlan(
      intent('host-failover', { kind: 'host', id: 'ghost' }),
      topology,
      { reservations: [] },
      PLANNING,
      sequentialIds('a'),
    );
    expect(draft).toMatchObject({ state: 'blocked', actions: [] });
    expect(draft.reason).toBe('host-failover needs a known host, got host ghost');
  });
});
