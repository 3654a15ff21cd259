import type { HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';

const pad = (n: number) => String(n).padStart(5, '0');

/**
 * The storm scenarios' cloud: `hosts` hosts in zones of 50 (so that losing a quarter of them stays
 * under the storm guard's half-a-zone), each 64 vcpus / 256 GB carrying six 4-vcpu / 16 GB VMs, and
 * in `cells` planning cells (label `cell`: c1, c2, ... by host number). No groups: every failover
 * evacuates, which is the placement-heavy case.
 */
export function stormCloud(hosts: number, cells = 1): InventoryV1 {
  const hostList: HostV1[] = Array.from({ length: hosts }, (_, i) => ({
    id: `st-${pad(i)}`,
    zone: `z${Math.floor(i / 50)}`,
    status: 'up',
    hypervisor: 'kvm',
    driver: 'simulator',
    capacity: { vcpus: 64, memoryMb: 262_144 },
    labels: { cell: `c${Math.floor((i * cells) / hosts) + 1}`, rack: `r${Math.floor(i / 10)}` },
  }));
  const instances: InstanceV1[] = hostList.flatMap((h) =>
    Array.from({ length: 6 }, (_, k) => ({
      id: `${h.id}-vm${k}`,
      hostId: h.id,
      kind: 'vm' as const,
      state: 'running' as const,
      resources: { vcpus: 4, memoryMb: 16_384 },
    })),
  );
  return { hosts: hostList, instances, groups: [] };
}

/** Every `step`th host, from `offset`: spread over every zone and rack. */
export function everyNth(cloud: InventoryV1, step: number, offset = 0): string[] {
  return cloud.hosts.filter((_, i) => i % step === offset).map((h) => h.id);
}
