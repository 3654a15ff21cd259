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
} from '../../testing/topology.fixture';

const plan = (
  inv: ReturnType<typeof inventory>,
  target: { kind: 'instance' | 'group'; id: string },
) =>
  buildPlan(intent('switch-over', target), inv, { reservations: [] }, PLANNING, sequentialIds('a'));

describe('switch-over policy', () => {
  const hosts = [host('cmp-1'), host('cmp-2'), host('cmp-3')];

  it('promotes the healthy standby, then recovers the failed active in place', () => {
    const inv = inventory(
      hosts,
      [
        member('db-a', 'cmp-1', 'db', 'active', { state: 'error' }),
        member('db-s', 'cmp-2', 'db', 'standby'),
      ],
      [group('db')],
    );
    const draft = plan(inv, { kind: 'instance', id: 'db-a' });
    expect(draft.state).toBe('pending');
    expect(draft.reason).toBeNull();
    expect(draft.actions.map((a) => [a.id, a.seq, a.type, a.params, a.dependsOn])).toEqual([
      ['a2', 1, 'switch-over', { groupId: 'db', fromInstanceId: 'db-a', toInstanceId: 'db-s' }, []],
      ['a3', 2, 'recover-instance', { instanceId: 'db-a' }, ['a2']],
    ]);
    expect(draft.holds).toEqual({ hosts: [], instances: ['db-a', 'db-s'], groups: ['db'] });
  });

  it('skips a standby that is not healthy', () => {
    const inv = inventory(
      [...hosts, host('cmp-4', { status: 'down' })],
      [
        member('db-a', 'cmp-1', 'db', 'active', { state: 'error' }),
        member('db-s0', 'cmp-4', 'db', 'standby'),
        member('db-s1', 'cmp-2', 'db', 'standby', { state: 'stopped' }),
        member('db-s2', 'cmp-3', 'db', 'standby'),
      ],
      [group('db', { standby: 3 })],
    );
    const draft = plan(inv, { kind: 'group', id: 'db' });
    expect(draft.actions[0].params).toEqual({
      groupId: 'db',
      fromInstanceId: 'db-a',
      toInstanceId: 'db-s2',
    });
  });

  it('re-places the failed member when its host is down (evacuate after the switch-over)', () => {
    const inv = inventory(
      [host('cmp-1', { status: 'down' }), host('cmp-2'), host('cmp-3')],
      [member('db-a', 'cmp-1', 'db', 'active'), member('db-s', 'cmp-2', 'db', 'standby')],
      [group('db')],
    );
    const draft = plan(inv, { kind: 'instance', id: 'db-a' });
    expect(draft.actions.map((a) => [a.type, a.params, a.dependsOn])).toEqual([
      ['switch-over', { groupId: 'db', fromInstanceId: 'db-a', toInstanceId: 'db-s' }, []],
      ['evacuate', { instanceId: 'db-a', fromHostId: 'cmp-1', toHostId: 'cmp-3' }, ['a2']],
    ]);
    expect(draft.reservations).toEqual([
      {
        planId: 'a1',
        hostId: 'cmp-3',
        vcpus: 4,
        memoryMb: 8192,
        instanceId: 'db-a',
        groupId: 'db',
      },
    ]);
  });

  it('switches a baremetal active over and reports that it waits for its host', () => {
    const inv = inventory(
      [host('cmp-1', { status: 'down' }), host('cmp-2')],
      [
        bm('bm-a', 'cmp-1', { groupId: 'db', role: 'active' }),
        bm('bm-s', 'cmp-2', { groupId: 'db', role: 'standby' }),
      ],
      [group('db')],
    );
    const draft = plan(inv, { kind: 'instance', id: 'bm-a' });
    expect(draft.state).toBe('pending');
    expect(draft.actions.map((a) => a.type)).toEqual(['switch-over']);
    expect(draft.reason).toBe(
      'bm-a is baremetal and cannot move off cmp-1 (down); it recovers when the host is restored',
    );
  });

  it('is blocked without a healthy standby', () => {
    const inv = inventory(
      hosts,
      [
        member('db-a', 'cmp-1', 'db', 'active', { state: 'error' }),
        member('db-s', 'cmp-2', 'db', 'standby', { state: 'error' }),
      ],
      [group('db')],
    );
    const draft = plan(inv, { kind: 'instance', id: 'db-a' });
    expect(draft.state).toBe('blocked');
    expect(draft.actions).toEqual([]);
    expect(draft.reason).toBe('no healthy standby in group db to take over from db-a');
  });

  it('is blocked for an instance that is not an active group member', () => {
    const inv = inventory(hosts, [member('db-s', 'cmp-2', 'db', 'standby')], [group('db')]);
    expect(plan(inv, { kind: 'instance', id: 'db-s' }).reason).toBe(
      'db-s is not an active member of db',
    );
  });
});
