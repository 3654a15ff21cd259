// The simulated clouds of the driver's specs and bench, from the domain specs' builders.
import type { InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { host, inventory, vm } from '@reflex/domain/testing/topology.fixture';
import type { BackendAction } from '../../backend.port';

/**
 * cmp-01 and cmp-02, and vm-01 on cmp-01 with `resources`: a live migration of it takes
 * memoryMb / bandwidthMbps seconds.
 */
export function oneVmTwoHosts(resources: InstanceV1['resources']): InventoryV1 {
  return simulatedCloud(['cmp-01', 'cmp-02'], { vcpus: 8, memoryMb: 4096 }, [
    ['vm-01', 'cmp-01', resources],
  ]);
}

/** Simulated hosts with `capacity`, and `vms` (id → host) of `resources` each. */
export function simulatedCloud(
  hostIds: string[],
  capacity: { vcpus: number; memoryMb: number },
  vms: Array<[id: string, hostId: string, resources: InstanceV1['resources']]>,
): InventoryV1 {
  return inventory(
    hostIds.map((id) => host(id, { capacity })),
    vms.map(([id, hostId, resources]) => vm(id, hostId, { resources })),
  );
}

/** Years ahead: a deadline no spec reaches. */
export const FAR_DEADLINE = '2030-01-01T00:00:00.000Z';

let moves = 0;

/** A backend action moving `instanceId`, with an id of its own and FAR_DEADLINE. */
export function backendMove(
  type: 'live-migrate' | 'cold-migrate' | 'evacuate',
  instanceId: string,
  fromHostId: string,
  toHostId: string,
): BackendAction {
  return {
    actionId: `move-${++moves}`,
    attempt: 1,
    type,
    params: { instanceId, fromHostId, toHostId },
    deadline: FAR_DEADLINE,
  };
}
