import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import { buildPlan } from '../plan-builder';
import type { InFlight } from '../plan-intent';
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

const drain = (
  inv: InventoryV1,
  params: Record<string, unknown> = {},
  inFlight: InFlight = { reservations: [] },
) =>
  buildPlan(
    intent('host-drain', { kind: 'host', id: 'h1' }, { params, mode: 'manual' }),
    inv,
    inFlight,
    PLANNING,
    sequentialIds('a'),
  );

describe('host-drain policy', () => {
  it('disables, live-migrates running VMs, cold-migrates stopped ones, then sets maintenance', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3')],
      [
        vm('vm-big', 'h1', { resources: { vcpus: 8, memoryMb: 16384 } }),
        vm('vm-off', 'h1', { state: 'stopped' }),
        member('db-a', 'h1', 'db', 'active'),
        member('db-s', 'h2', 'db', 'standby'),
      ],
      [group('db')],
    );
    const draft = drain(inv);
    expect(draft.state).toBe('pending_approval');
    expect(draft.actions.map((a) => [a.id, a.type, a.params, a.dependsOn])).toEqual([
      ['a2', 'set-host-status', { hostId: 'h1', status: 'disabled', previousStatus: 'up' }, []],
      ['a3', 'live-migrate', { instanceId: 'vm-big', fromHostId: 'h1', toHostId: 'h3' }, ['a2']],
      ['a4', 'live-migrate', { instanceId: 'db-a', fromHostId: 'h1', toHostId: 'h3' }, ['a2']],
      ['a5', 'cold-migrate', { instanceId: 'vm-off', fromHostId: 'h1', toHostId: 'h2' }, ['a2']],
      [
        'a6',
        'set-host-status',
        { hostId: 'h1', status: 'maintenance', previousStatus: 'disabled' },
        ['a3', 'a4', 'a5'],
      ],
    ]);
    expect(draft.explanation.checks).toEqual([
      'group db: healthy actives 1->1 (needs 1), healthy standbys 1->1 (needs 1)',
    ]);
  });

  it('keeps zone anti-affinity while draining', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3', { zone: 'az2' }), host('h4', { zone: 'az3' })],
      [member('db-a', 'h1', 'db', 'active'), member('db-s', 'h3', 'db', 'standby')],
      [group('db', { antiAffinity: 'zone' })],
    );
    const draft = drain(inv);
    expect(draft.actions[1].params).toEqual({
      instanceId: 'db-a',
      fromHostId: 'h1',
      toHostId: 'h2',
    });
    const h3 = draft.explanation.placements[0].candidates.find((c) => c.hostId === 'h3')!;
    expect(h3.reasons.map((r) => r.code)).toEqual(['anti-affinity-zone']);
  });

  describe('baremetal', () => {
    const topology = (standbyState: 'running' | 'error') =>
      inventory(
        [host('h1'), host('h2')],
        [
          bm('bm-a', 'h1', { groupId: 'bmg', role: 'active' }),
          bm('bm-s', 'h2', { groupId: 'bmg', role: 'standby', state: standbyState }),
        ],
        [group('bmg')],
      );

    it('is blocked when the switch-over would leave the group without its standby', () => {
      const draft = drain(topology('running'));
      expect(draft.state).toBe('blocked');
      expect(draft.reason).toBe(
        'draining h1 would leave group bmg with 0 of 1 healthy standbys (set allowNoStandby to drain anyway)',
      );
    });

    it('switches the active over to its standby elsewhere when the rule allows no standby', () => {
      const draft = drain(topology('running'), { allowNoStandby: true });
      expect(draft.state).toBe('pending_approval');
      expect(draft.actions.map((a) => [a.type, a.params, a.dependsOn])).toEqual([
        ['set-host-status', { hostId: 'h1', status: 'disabled', previousStatus: 'up' }, []],
        ['switch-over', { groupId: 'bmg', fromInstanceId: 'bm-a', toInstanceId: 'bm-s' }, ['a2']],
        [
          'set-host-status',
          { hostId: 'h1', status: 'maintenance', previousStatus: 'disabled' },
          ['a3'],
        ],
      ]);
      expect(draft.reason).toBe(
        'draining h1 would leave group bmg with 0 of 1 healthy standbys; allowed by the rule (allowNoStandby)',
      );
    });

    it('is blocked when the group would fall below N healthy actives', () => {
      const draft = drain(topology('error'), { allowNoStandby: true });
      expect(draft.state).toBe('blocked');
      expect(draft.reason).toBe('draining h1 would leave group bmg with 0 of 1 healthy actives');
    });

    it('is blocked by an ungrouped baremetal instance unless downtime is allowed', () => {
      const inv = inventory([host('h1'), host('h2')], [bm('bm-1', 'h1')]);
      expect(drain(inv).reason).toBe(
        'baremetal bm-1 is not in a group and cannot move: draining h1 would take it down (allowDowntime)',
      );
      const allowed = drain(inv, { allowDowntime: true });
      expect(allowed.actions.map((a) => a.type)).toEqual(['set-host-status', 'set-host-status']);
      expect(allowed.reason).toBe('baremetal bm-1 is not in a group: it goes down with h1');
    });
  });

  it('is blocked while another host holding members of the same group is draining', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3'), host('h4')],
      [
        member('w-1', 'h1', 'web', 'active'),
        member('w-2', 'h2', 'web', 'active'),
        member('w-s', 'h3', 'web', 'standby'),
      ],
      [group('web', { active: 2 })],
    );
    const draft = drain(
      inv,
      {},
      { reservations: [], drainingHosts: [{ hostId: 'h2', planId: 'p-9' }] },
    );
    expect(draft.state).toBe('blocked');
    expect(draft.reason).toBe(
      'h2 is draining (plan p-9) and holds w-2 of group web, which also has members on h1',
    );
    // A drain elsewhere that shares no group does not block it, and its host takes no placements.
    const roomy = inventory([...inv.hosts, host('h5')], inv.instances, inv.groups);
    const other = drain(
      roomy,
      {},
      { reservations: [], drainingHosts: [{ hostId: 'h4', planId: 'p-8' }] },
    );
    expect(other.state).toBe('pending_approval');
    expect(other.actions[1].params).toEqual({
      instanceId: 'w-1',
      fromHostId: 'h1',
      toHostId: 'h5',
    });
    const h4 = other.explanation.placements[0].candidates.find((c) => c.hostId === 'h4')!;
    expect(h4.reasons.map((r) => r.code)).toEqual(['excluded']);
  });

  it('is blocked, naming the instance and constraint, when a VM has nowhere to go', () => {
    const inv = inventory(
      [host('h1'), host('h2', { capacity: { vcpus: 2, memoryMb: 65536 } })],
      [vm('vm-1', 'h1')],
    );
    const draft = drain(inv);
    expect(draft.state).toBe('blocked');
    expect(draft.actions).toEqual([]);
    expect(draft.reason).toBe(
      'cannot drain h1: no host for vm-1: capacity (h2: vcpus: needs 4, free 2 of 2 (2 x 1 overcommit; 0 used incl. 0 reserved))',
    );
    expect(draft.explanation.placements[0]).toMatchObject({ ok: false, constraints: ['capacity'] });
  });

  it('refuses a host that is down', () => {
    const inv = inventory([host('h1', { status: 'down' })], []);
    expect(drain(inv).reason).toBe('h1 is down: it needs host-failover, not a drain');
  });
});
