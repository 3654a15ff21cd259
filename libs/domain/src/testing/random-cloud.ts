import fc from 'fast-check';
import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';

/**
 * Random clouds for the equivalence properties: hosts of every status, two hypervisors, zones and
 * racks shared by zones, hosts without capacity, instances on unknown hosts, groups of every
 * anti-affinity, and the overcommit.
 */
const pad = (n: number) => String(n).padStart(3, '0');

export const hostArb = fc.record({
  zone: fc.constantFrom('az1', 'az2', 'az3'),
  status: fc.constantFrom<HostV1['status']>(
    'up',
    'up',
    'up',
    'up',
    'down',
    'disabled',
    'maintenance',
  ),
  hypervisor: fc.constantFrom('kvm', 'kvm', 'kvm', 'xen'),
  vcpus: fc.constantFrom(0, 4, 8, 16, 16, 32),
  memoryMb: fc.constantFrom(0, 8192, 16384, 16384, 32768),
  // Few racks, shared by zones (az1/r1 is not az2/r1), and hosts without one (racks of their own).
  rack: fc.constantFrom(undefined, 'r1', 'r1', 'r2', 'r3'),
});

export const instanceArb = fc.record({
  host: fc.nat(),
  unknownHost: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  baremetal: fc.constantFrom(false, false, false, false, false, true),
  vcpus: fc.constantFrom(0, 1, 2, 4, 8),
  memoryMb: fc.constantFrom(0, 1024, 2048, 4096, 8192),
  group: fc.option(fc.nat(), { nil: undefined }),
  standby: fc.boolean(),
  stopped: fc.constantFrom(false, false, false, true),
  priority: fc.constantFrom(undefined, 1, 5),
});

export const cloudArb = fc
  .record({
    hosts: fc.array(hostArb, { minLength: 1, maxLength: 70 }),
    instances: fc.array(instanceArb, { maxLength: 90 }),
    groups: fc.array(fc.constantFrom<GroupV1['antiAffinity']>('host', 'rack', 'zone', 'none'), {
      maxLength: 6,
    }),
    config: fc.record({
      cpuOvercommit: fc.constantFrom(1, 2, 4),
      memoryOvercommit: fc.constantFrom(1, 1.5),
    }),
  })
  .map(({ hosts, instances, groups, config }) => ({
    inventory: cloud(hosts, instances, groups),
    config,
  }));

const rackLabel = (rack: string | undefined): Record<string, string> => (rack ? { rack } : {});

type HostSpec = typeof hostArb extends fc.Arbitrary<infer T> ? T : never;
type InstanceSpec = typeof instanceArb extends fc.Arbitrary<infer T> ? T : never;

export function cloud(
  hostSpecs: HostSpec[],
  instanceSpecs: InstanceSpec[],
  antiAffinity: GroupV1['antiAffinity'][],
): InventoryV1 {
  // Ids out of order on purpose: the view sorts them, the reference does not need to.
  const hosts: HostV1[] = hostSpecs.map((h, i) => ({
    id: `h-${pad((i * 37) % 1000)}`,
    zone: h.zone,
    status: h.status,
    hypervisor: h.hypervisor,
    driver: 'simulator',
    capacity: { vcpus: h.vcpus, memoryMb: h.memoryMb },
    labels: rackLabel(h.rack),
  }));
  const groups: GroupV1[] = antiAffinity.map((a, g) => ({
    id: `g-${g}`,
    active: 1,
    standby: 1,
    antiAffinity: a,
  }));
  const instances: InstanceV1[] = instanceSpecs.map((s, i) => ({
    id: `i-${pad(i)}`,
    hostId: s.unknownHost ? 'gone' : hosts[s.host % hosts.length].id,
    kind: s.baremetal ? 'baremetal' : 'vm',
    state: s.stopped ? 'stopped' : 'running',
    resources: { vcpus: s.vcpus, memoryMb: s.memoryMb },
    groupId: groups.length && s.group !== undefined ? groups[s.group % groups.length].id : null,
    role: s.standby ? 'standby' : 'active',
    ...(s.priority !== undefined ? { priority: s.priority } : {}),
  }));
  return { hosts, instances, groups };
}
