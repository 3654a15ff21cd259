import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';

/**
 * The cloud a first run starts with: 3 zones of 4 hosts. In each zone three hosts run VMs (kvm)
 * and one is a bare-metal node holding one bare-metal instance; all on the simulator backend.
 *
 *   az1: cmp-01 cmp-02 cmp-03 bm-01
 *   az2: cmp-04 cmp-05 cmp-06 bm-02
 *   az3: cmp-07 cmp-08 cmp-09 bm-03
 *
 * N+1 groups: `web` 3+1, `db` 2+1, `cache` 2+1 (host anti-affinity), `queue` 2+1 (zone
 * anti-affinity) and the bare-metal `gateway` 2+1 (zone); plus eight ungrouped VMs. The demo story
 * fails cmp-04 (two actives, a standby and two plain VMs on it) and then drains cmp-02.
 */
const GIB = 1024;

const kvmHost = (n: number, zone: string): HostV1 => ({
  id: `cmp-${String(n).padStart(2, '0')}`,
  zone,
  status: 'up',
  hypervisor: 'kvm',
  driver: 'simulator',
  capacity: { vcpus: 64, memoryMb: 128 * GIB },
  labels: { rack: `${zone}-r${((n - 1) % 3) + 1}` },
});

const BAREMETAL_NODE = { vcpus: 48, memoryMb: 192 * GIB };

const metalHost = (n: number, zone: string): HostV1 => ({
  id: `bm-${String(n).padStart(2, '0')}`,
  zone,
  status: 'up',
  hypervisor: 'ironic',
  driver: 'simulator',
  capacity: { ...BAREMETAL_NODE },
  labels: { rack: `${zone}-r4` },
});

const vm = (
  id: string,
  hostId: string,
  memoryGib: number,
  member?: { groupId: string; role: 'active' | 'standby' },
): InstanceV1 => ({
  id,
  hostId,
  kind: 'vm',
  state: 'running',
  resources: { vcpus: Math.max(1, memoryGib / 2), memoryMb: memoryGib * GIB },
  groupId: member?.groupId ?? null,
  role: member?.role ?? null,
});

const active = (groupId: string) => ({ groupId, role: 'active' as const });
const standby = (groupId: string) => ({ groupId, role: 'standby' as const });

const group = (
  id: string,
  activeCount: number,
  antiAffinity: GroupV1['antiAffinity'],
): GroupV1 => ({ id, active: activeCount, standby: 1, antiAffinity });

// A bare-metal instance takes its whole node, so no VM is ever placed beside it.
const metal = (id: string, hostId: string, role: 'active' | 'standby'): InstanceV1 => ({
  id,
  hostId,
  kind: 'baremetal',
  state: 'running',
  resources: { ...BAREMETAL_NODE },
  groupId: 'gateway',
  role,
});

export function demoTopology(): InventoryV1 {
  return {
    hosts: [
      ...[1, 2, 3].map((n) => kvmHost(n, 'az1')),
      metalHost(1, 'az1'),
      ...[4, 5, 6].map((n) => kvmHost(n, 'az2')),
      metalHost(2, 'az2'),
      ...[7, 8, 9].map((n) => kvmHost(n, 'az3')),
      metalHost(3, 'az3'),
    ],
    groups: [
      group('web', 3, 'host'),
      group('db', 2, 'host'),
      group('cache', 2, 'host'),
      group('queue', 2, 'zone'),
      group('gateway', 2, 'zone'),
    ],
    instances: [
      vm('web-1', 'cmp-01', 4, active('web')),
      vm('web-2', 'cmp-04', 4, active('web')),
      vm('web-3', 'cmp-07', 4, active('web')),
      vm('web-4', 'cmp-05', 4, standby('web')),
      vm('db-1', 'cmp-02', 8, active('db')),
      vm('db-2', 'cmp-04', 8, active('db')),
      vm('db-3', 'cmp-08', 8, standby('db')),
      vm('cache-1', 'cmp-03', 4, active('cache')),
      vm('cache-2', 'cmp-06', 4, active('cache')),
      vm('cache-3', 'cmp-04', 4, standby('cache')),
      vm('queue-1', 'cmp-02', 4, active('queue')),
      vm('queue-2', 'cmp-05', 4, active('queue')),
      vm('queue-3', 'cmp-09', 4, standby('queue')),
      metal('gateway-1', 'bm-01', 'active'),
      metal('gateway-2', 'bm-02', 'active'),
      metal('gateway-3', 'bm-03', 'standby'),
      vm('app-01', 'cmp-04', 2),
      vm('app-02', 'cmp-04', 2),
      vm('app-03', 'cmp-02', 2),
      vm('app-04', 'cmp-02', 16),
      vm('app-05', 'cmp-03', 2),
      vm('app-06', 'cmp-06', 2),
      vm('app-07', 'cmp-08', 2),
      vm('app-08', 'cmp-09', 2),
    ],
  };
}
