import type { HostV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from '../inventory/inventory-view';
import { sharedFailureDomains } from '../inventory/redundancy-posture';
import type { Reservation } from '../placement/placement.types';
import { PLANNING, bm, group, host, inventory, member, vm } from '../testing/topology.fixture';
import type { FailureDomainKind } from '../inventory/failure-domains';
import { forecastCapacity } from './capacity-forecast';

const inRack = (id: string, rack: string, over: Partial<HostV1> = {}) =>
  host(id, { labels: { rack }, ...over });
const big = (id: string, hostId: string) =>
  vm(id, hostId, { resources: { vcpus: 12, memoryMb: 8192 } });

const forecast = (inv: InventoryV1, kind: FailureDomainKind, reservations: Reservation[] = []) =>
  forecastCapacity(new InventoryView(inv), { reservations }, kind, PLANNING);
const item = (f: ReturnType<typeof forecast>, id: string) => f.items.find((i) => i.id === id)!;

/** Rack r1: h1, h2 each with a 12-vcpu VM; rack r2: h3, empty, room for one of them. */
const twoRacks = () =>
  inventory(
    [inRack('h1', 'r1'), inRack('h2', 'r1'), inRack('h3', 'r2')],
    [big('a', 'h1'), big('b', 'h2')],
  );

describe('forecastCapacity', () => {
  it('a host whose instances fit elsewhere is survivable, with the placements it would make', () => {
    const f = forecast(twoRacks(), 'host');
    expect(f.summary).toEqual({ domains: 3, survivable: 3 });
    expect(item(f, 'h1')).toMatchObject({
      survivable: true,
      instances: 1,
      placed: 1,
      unplaced: [],
      placements: [{ instanceId: 'a', hostId: 'h3' }],
    });
  });

  it('a rack fails as a whole: its second host plans against the first one’s placements', () => {
    const f = forecast(twoRacks(), 'rack');
    expect(f.domain).toBe('rack');
    expect(f.summary).toEqual({ domains: 2, survivable: 1 });
    const r1 = item(f, 'az1/r1');
    expect(r1).toMatchObject({ survivable: false, instances: 2, placed: 1 });
    expect(r1.placements).toEqual([{ instanceId: 'a', hostId: 'h3' }]);
    expect(r1.unplaced).toEqual([
      { instanceId: 'b', reason: expect.stringContaining('no host has 12 vCPU') },
    ]);
    // Each host alone is survivable: only the simultaneous loss is not.
    expect(forecast(twoRacks(), 'host').summary.survivable).toBe(3);
  });

  it('a zone forecast never places onto the failed zone', () => {
    const inv = inventory(
      [host('h1'), host('h2'), host('h3', { zone: 'az2' })],
      [vm('a', 'h1'), vm('b', 'h3')],
    );
    const f = forecast(inv, 'zone');
    expect(item(f, 'az1')).toMatchObject({ survivable: true, instances: 1, placed: 1 });
    expect(item(f, 'az1').placements).toEqual([{ instanceId: 'a', hostId: 'h3' }]);
    expect(item(f, 'az2').placements).toEqual([{ instanceId: 'b', hostId: 'h2' }]);
  });

  it('baremetal without a standby cannot be placed; with one outside the domain it switches over', () => {
    const inv = inventory(
      [inRack('h1', 'r1'), inRack('h2', 'r2'), inRack('h3', 'r3')],
      [
        bm('lonely', 'h1'),
        member('db1', 'h2', 'db', 'active', { kind: 'baremetal' }),
        member('db2', 'h3', 'db', 'standby'),
      ],
      [group('db')],
    );
    const f = forecast(inv, 'rack');
    expect(item(f, 'az1/r1')).toMatchObject({ survivable: false, placed: 0 });
    expect(item(f, 'az1/r1').unplaced).toEqual([
      { instanceId: 'lonely', reason: expect.stringContaining('baremetal') },
    ]);
    const r2 = item(f, 'az1/r2');
    expect(r2).toMatchObject({ survivable: true, instances: 1, placed: 1, redundancyLost: ['db'] });
    expect(r2.switchOvers).toEqual([{ groupId: 'db', fromInstanceId: 'db1', toInstanceId: 'db2' }]);
  });

  it('redundancyLost names a group whose active and standby share the failed rack', () => {
    const inv = inventory(
      [inRack('h1', 'r1'), inRack('h2', 'r1'), inRack('h3', 'r2'), inRack('h4', 'r3')],
      [member('db1', 'h1', 'db', 'active'), member('db2', 'h2', 'db', 'standby')],
      [group('db')],
    );
    const r1 = item(forecast(inv, 'rack'), 'az1/r1');
    expect(r1).toMatchObject({ survivable: true, placed: 2, redundancyLost: ['db'] });
    expect(r1.switchOvers).toEqual([]);
    // Host by host the standby on the other host takes over and nothing is lost... but the standby.
    const h1 = item(forecast(inv, 'host'), 'h1');
    expect(h1.switchOvers).toEqual([{ groupId: 'db', fromInstanceId: 'db1', toInstanceId: 'db2' }]);
    expect(h1.redundancyLost).toEqual(['db']);
  });

  it.each<['host' | 'rack', boolean]>([
    ['host', true],
    ['rack', false],
  ])('anti-affinity %s: the only free host sits in the rack of the other member', (aa, ok) => {
    // Group of two actives: w1 in r1, w2 in r2 on h2; the only room is h3, also in r2.
    const inv = inventory(
      [
        inRack('h1', 'r1'),
        inRack('h2', 'r2', { capacity: { vcpus: 4, memoryMb: 8192 } }),
        inRack('h3', 'r2'),
      ],
      [member('w1', 'h1', 'web', 'active'), member('w2', 'h2', 'web', 'active')],
      [group('web', { active: 2, standby: 0, antiAffinity: aa })],
    );
    const r1 = item(forecast(inv, 'rack'), 'az1/r1');
    expect(r1.survivable).toBe(ok);
    if (ok) expect(r1.placements).toEqual([{ instanceId: 'w1', hostId: 'h3' }]);
    else expect(r1.unplaced[0].reason).toContain("group web's rack anti-affinity");
  });

  it('in-flight reservations take the room a failover would have used', () => {
    const reservation: Reservation = {
      planId: 'live',
      hostId: 'h3',
      vcpus: 8,
      memoryMb: 8192,
      instanceId: 'elsewhere',
    };
    expect(item(forecast(twoRacks(), 'host'), 'h1').survivable).toBe(true);
    const h1 = item(forecast(twoRacks(), 'host', [reservation]), 'h1');
    expect(h1.survivable).toBe(false);
    expect(h1.unplaced.map((u) => u.instanceId)).toEqual(['a']);
  });

  it('hosts already down belong to no domain: they have failed already', () => {
    const inv = twoRacks();
    inv.hosts[0].status = 'down';
    expect(forecast(inv, 'host').items.map((i) => i.id)).toEqual(['h2', 'h3']);
  });
});

describe('sharedFailureDomains', () => {
  it('names each host, rack or zone holding both an active and a standby of the group', () => {
    const view = new InventoryView(
      inventory(
        [inRack('h1', 'r1'), inRack('h2', 'r1'), inRack('h3', 'r2', { zone: 'az2' })],
        [
          member('db1', 'h1', 'db', 'active'),
          member('db2', 'h2', 'db', 'standby'),
          member('db3', 'h3', 'db', 'standby'),
        ],
        [group('db', { standby: 2 })],
      ),
    );
    expect(sharedFailureDomains(view, 'db')).toEqual([
      { kind: 'rack', id: 'az1/r1', members: ['db1', 'db2'] },
      { kind: 'zone', id: 'az1', members: ['db1', 'db2'] },
    ]);
  });
});
