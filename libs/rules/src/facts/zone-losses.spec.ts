import type { HostV1 } from '@reflex/contracts/inventory.v1';
import { InMemoryFactSource } from './in-memory-fact-source';
import { reportsHostDown, zoneLosses } from './zone-losses';

const host = (id: string, zone: string, status: HostV1['status'] = 'up'): HostV1 => ({
  id,
  zone,
  status,
  hypervisor: 'kvm',
  driver: 'simulator',
  capacity: { vcpus: 8, memoryMb: 8192 },
  labels: {},
});

describe('zoneLosses', () => {
  const hosts = [
    host('a1', 'az1'),
    host('a2', 'az1', 'down'),
    host('a3', 'az1'),
    host('a4', 'az1'),
    host('b1', 'az2'),
  ];

  it('counts the reports of the zone only, with the share and the inventory status', () => {
    expect(zoneLosses(hosts[0], hosts, new Set(['a3', 'a1', 'b1', 'gone']))).toEqual({
      zone: 'az1',
      hosts: 4,
      reportedDown: 2,
      reportedDownShare: 0.5,
      reportedDownHostIds: ['a1', 'a3'],
      statusDown: 1,
      windowSeconds: 120,
    });
  });

  it("over an inventory document, takes the hosts marked down as the reports, and the alarm's own", async () => {
    const source = new InMemoryFactSource({ hosts });
    expect(await source.getZoneLosses('a1', true)).toMatchObject({
      reportedDown: 2,
      reportedDownHostIds: ['a1', 'a2'],
    });
    expect(await source.getZoneLosses('a1', false)).toMatchObject({ reportedDown: 1 });
    expect(await source.getZoneLosses('nowhere', true)).toBeNull();
    const given = new InMemoryFactSource({ hosts }, { reportedDown: ['a3', 'a4'] });
    expect(await given.getZoneLosses('a1', false)).toMatchObject({
      reportedDownHostIds: ['a3', 'a4'],
    });
  });

  it('only a firing host.down about a host is a report', () => {
    const down = { type: 'host.down', resource: { kind: 'host' } };
    expect(reportsHostDown(down)).toBe(true);
    expect(reportsHostDown({ ...down, state: 'resolved' })).toBe(false);
    expect(reportsHostDown({ ...down, resource: { kind: 'instance' } })).toBe(false);
    expect(reportsHostDown({ ...down, type: 'host.maintenance.requested' })).toBe(false);
  });
});
