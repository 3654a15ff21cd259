import { NOW, bm, group, host, inventory, member, vm } from '../testing/topology.fixture';
import { groupStatus } from './group-status';
import { hostLoad } from './host-load';
import { InventoryView } from './inventory-view';

const view = new InventoryView(
  inventory(
    [host('cmp-2'), host('cmp-1'), host('cmp-3', { status: 'down' })],
    [
      member('db-2', 'cmp-2', 'db', 'active'),
      member('db-1', 'cmp-1', 'db', 'active'),
      member('db-3', 'cmp-3', 'db', 'standby'),
      vm('web', 'cmp-1', { state: 'stopped' }),
      bm('bm-1', 'cmp-2', { resources: { vcpus: 2, memoryMb: 1024 } }),
    ],
    [group('db', { active: 2, standby: 1 })],
  ),
);

describe('InventoryView', () => {
  it('indexes hosts, instances by host and group members, sorted by id', () => {
    expect(view.hosts().map((h) => h.id)).toEqual(['cmp-1', 'cmp-2', 'cmp-3']);
    expect(view.instancesOn('cmp-1').map((i) => i.id)).toEqual(['db-1', 'web']);
    expect(view.members('db').map((i) => i.id)).toEqual(['db-1', 'db-2', 'db-3']);
    expect(view.groupsOnHost('cmp-3').map((g) => g.id)).toEqual(['db']);
    expect(view.instancesOn('nowhere')).toEqual([]);
  });

  it('calls an instance healthy only when it runs on an up host', () => {
    expect(view.isHealthy(view.instance('db-1')!)).toBe(true);
    expect(view.isHealthy(view.instance('db-3')!)).toBe(false);
    expect(view.isHealthy(view.instance('web')!)).toBe(false);
  });
});

describe('hostLoad', () => {
  it('counts every instance on the host, stopped ones too', () => {
    expect(hostLoad(view, 'cmp-1')).toEqual({
      hostId: 'cmp-1',
      capacity: { vcpus: 16, memoryMb: 32768 },
      used: { vcpus: 8, memoryMb: 16384 },
      free: { vcpus: 8, memoryMb: 16384 },
      instanceCount: 2,
    });
    expect(hostLoad(view, 'cmp-2').used).toEqual({ vcpus: 6, memoryMb: 9216 });
  });
});

describe('groupStatus', () => {
  it('is degraded since now when its standby is on a down host', () => {
    expect(groupStatus(view, 'db', { now: NOW })).toEqual({
      healthyActive: 2,
      healthyStandby: 0,
      redundant: false,
      degradedSince: NOW,
    });
  });

  it('carries degradedSince from the previous status while still degraded', () => {
    const earlier = '2026-11-20T09:00:00.000Z';
    expect(
      groupStatus(view, 'db', { now: NOW, previousDegradedSince: earlier }).degradedSince,
    ).toBe(earlier);
  });

  it('is redundant with enough healthy actives and standbys, and clears degradedSince', () => {
    const healthy = new InventoryView(
      inventory(
        [host('cmp-1'), host('cmp-2')],
        [member('a', 'cmp-1', 'g', 'active'), member('s', 'cmp-2', 'g', 'standby')],
        [group('g')],
      ),
    );
    expect(groupStatus(healthy, 'g', { now: NOW, previousDegradedSince: 'x' })).toEqual({
      healthyActive: 1,
      healthyStandby: 1,
      redundant: true,
      degradedSince: null,
    });
  });
});
