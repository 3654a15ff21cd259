import type { AlarmV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';

export const host = (id: string, zone: string, status: HostV1['status'] = 'up'): HostV1 => ({
  id,
  zone,
  status,
  hypervisor: 'kvm',
  driver: 'simulator',
  capacity: { vcpus: 64, memoryMb: 262144 },
  labels: {},
});

export const vm = (id: string, hostId: string, extra: Partial<InstanceV1> = {}): InstanceV1 => ({
  id,
  hostId,
  kind: 'vm',
  state: 'running',
  resources: { vcpus: 2, memoryMb: 4096 },
  ...extra,
});

/**
 * Four hosts in two zones; group `db` (2 active + 1 standby, host anti-affinity) spread over
 * cmp-01..03; `loners` extra VMs on cmp-01 without a group. `spares` empty hosts more (cmp-05...,
 * az2): with none, draining cmp-04 leaves db's members nowhere to go should another host fail,
 * which the shipped maintenance drain (keepSurvivable host) refuses.
 */
export function smallCloud(loners = 0, spares = 0): InventoryV1 {
  return {
    hosts: [
      host('cmp-01', 'az1'),
      host('cmp-02', 'az1'),
      host('cmp-03', 'az2'),
      host('cmp-04', 'az2'),
      ...Array.from({ length: spares }, (_, i) =>
        host(`cmp-${String(i + 5).padStart(2, '0')}`, 'az2'),
      ),
    ],
    groups: [{ id: 'db', active: 2, standby: 1, antiAffinity: 'host' }],
    instances: [
      vm('db-1', 'cmp-01', { groupId: 'db', role: 'active' }),
      vm('db-2', 'cmp-02', { groupId: 'db', role: 'active' }),
      vm('db-3', 'cmp-03', { groupId: 'db', role: 'standby' }),
      ...Array.from({ length: loners }, (_, i) =>
        vm(`app-${String(i + 1).padStart(2, '0')}`, 'cmp-01'),
      ),
    ],
  };
}

let counter = 0;
export function alarm(
  type: string,
  kind: 'host' | 'instance' | 'group',
  id: string,
  extra: Partial<AlarmV1> = {},
): AlarmV1 {
  counter += 1;
  return {
    id: `t-${Date.now().toString(36)}-${counter}`,
    source: 'test',
    type,
    severity: 'critical',
    state: 'firing',
    resource: { kind, id },
    occurredAt: new Date().toISOString(),
    ...extra,
  };
}
