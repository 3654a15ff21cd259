import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
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

const restore = (inv: ReturnType<typeof inventory>, target: ResourceRefV1) =>
  buildPlan(
    intent('restore-redundancy', target),
    inv,
    { reservations: [] },
    PLANNING,
    sequentialIds('a'),
  );

describe('restore-redundancy policy', () => {
  it('promotes a standby for a failed active, then repairs every unhealthy member', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3', { status: 'down' }), host('h4')],
      [
        member('db-1', 'h1', 'db', 'active', { state: 'error' }),
        member('db-2', 'h2', 'db', 'standby'),
        member('db-3', 'h3', 'db', 'standby'),
      ],
      [group('db', { standby: 2 })],
    );
    const draft = restore(inv, { kind: 'group', id: 'db' });
    expect(draft.actions.map((a) => [a.id, a.type, a.params, a.dependsOn])).toEqual([
      ['a2', 'switch-over', { groupId: 'db', fromInstanceId: 'db-1', toInstanceId: 'db-2' }, []],
      ['a3', 'recover-instance', { instanceId: 'db-1' }, ['a2']],
      ['a4', 'evacuate', { instanceId: 'db-3', fromHostId: 'h3', toHostId: 'h4' }, []],
    ]);
    expect(draft.explanation.checks).toEqual([
      'group db: 0 of 1 healthy actives, 3 members, 2 unhealthy',
    ]);
  });

  it('live-migrates a member that runs on a host in maintenance', () => {
    const inv = inventory(
      [host('h1', { status: 'maintenance' }), host('h2'), host('h3')],
      [member('db-a', 'h2', 'db', 'active'), member('db-s', 'h1', 'db', 'standby')],
      [group('db')],
    );
    const draft = restore(inv, { kind: 'host', id: 'h1' });
    expect(draft.actions.map((a) => [a.type, a.params])).toEqual([
      ['live-migrate', { instanceId: 'db-s', fromHostId: 'h1', toHostId: 'h3' }],
    ]);
  });

  it('is blocked when something is wrong and nothing can be done', () => {
    const inv = inventory(
      [host('h1', { status: 'down' }), host('h2')],
      [
        bm('bm-a', 'h2', { groupId: 'g', role: 'active' }),
        bm('bm-s', 'h1', { groupId: 'g', role: 'standby' }),
      ],
      [group('g')],
    );
    const draft = restore(inv, { kind: 'instance', id: 'bm-a' });
    expect(draft.state).toBe('blocked');
    expect(draft.reason).toBe(
      'cannot restore redundancy: bm-s is baremetal and cannot move off h1 (down); it recovers when the host is restored',
    );
  });

  it('notes a group short of members, and has nothing to do for a healthy group', () => {
    const inv = inventory([host('h1')], [member('db-a', 'h1', 'db', 'active')], [group('db')]);
    const draft = restore(inv, { kind: 'group', id: 'db' });
    expect(draft.state).toBe('blocked');
    expect(draft.reason).toBe(
      'cannot restore redundancy: group db has 1 members but needs 2; Reflex does not create instances',
    );
    const healthy = inventory(
      [host('h1'), host('h2')],
      [member('db-a', 'h1', 'db', 'active'), member('db-s', 'h2', 'db', 'standby')],
      [group('db')],
    );
    expect(restore(healthy, { kind: 'group', id: 'db' })).toMatchObject({
      state: 'pending',
      actions: [],
      reason: 'every targeted group is healthy: nothing to do',
    });
  });
});
