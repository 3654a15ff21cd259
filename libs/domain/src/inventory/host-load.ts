import type { CapacityV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from './inventory-view';

/** The `hostLoad` fact and the placement solver's starting point: raw capacity, no overcommit. */
export interface HostLoad {
  hostId: string;
  capacity: CapacityV1;
  used: CapacityV1;
  free: CapacityV1;
  instanceCount: number;
}

/**
 * Every instance placed on the host counts, whatever its state: a stopped instance keeps its
 * allocation on the hypervisor, so counting it is what stops a later start from failing.
 */
export function hostLoad(view: InventoryView, hostId: string): HostLoad {
  const host = view.host(hostId);
  const capacity = host ? { ...host.capacity } : { vcpus: 0, memoryMb: 0 };
  const used = { ...view.usage(hostId) };
  return {
    hostId,
    capacity,
    used,
    free: { vcpus: capacity.vcpus - used.vcpus, memoryMb: capacity.memoryMb - used.memoryMb },
    instanceCount: view.instancesOn(hostId).length,
  };
}
