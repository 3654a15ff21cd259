import { assertValid } from '@reflex/contracts';
import { demoTopology } from './demo-topology';

describe('demo topology', () => {
  const topology = demoTopology();

  it('is a valid Inventory v1 of 12 hosts in 3 zones', () => {
    expect(() => assertValid('inventory.v1', topology)).not.toThrow();
    expect(topology.hosts).toHaveLength(12);
    expect(new Set(topology.hosts.map((h) => h.zone)).size).toBe(3);
  });

  it('has N+1 groups of VMs and of baremetal, each as declared and within its anti-affinity', () => {
    expect(topology.instances.some((i) => i.kind === 'vm' && !i.groupId)).toBe(true);
    const zoneOf = new Map(topology.hosts.map((h) => [h.id, h.zone]));
    for (const group of topology.groups) {
      const members = topology.instances.filter((i) => i.groupId === group.id);
      expect(members.filter((m) => m.role === 'active')).toHaveLength(group.active);
      expect(members.filter((m) => m.role === 'standby')).toHaveLength(group.standby);
      const places = members.map((m) =>
        group.antiAffinity === 'zone' ? zoneOf.get(m.hostId) : m.hostId,
      );
      expect(new Set(places).size).toBe(members.length);
    }
    const kinds = (id: string) =>
      new Set(topology.instances.filter((i) => i.groupId === id).map((i) => i.kind));
    expect(topology.groups.some((g) => kinds(g.id).has('baremetal'))).toBe(true);
  });

  it('fits every host', () => {
    for (const host of topology.hosts) {
      const on = topology.instances.filter((i) => i.hostId === host.id);
      expect(on.reduce((sum, i) => sum + i.resources.memoryMb, 0)).toBeLessThanOrEqual(
        host.capacity.memoryMb,
      );
    }
  });
});
