import { ValidationError, type FieldError } from '@reflex/common';
import type { CapacityV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { SimHost, SimState } from './simulator.state';

/**
 * Replaces the cloud with `inventory` (`PUT /v1/sim/state`). Operations in flight belong to the old
 * world and are dropped; faults, settings and the call log stay, because tests inject faults and
 * read calls around a seed.
 */
export function seedState(state: SimState, inventory: InventoryV1): void {
  const errors: FieldError[] = [];
  const hosts: Record<string, SimHost> = {};
  (inventory.hosts ?? []).forEach((h, i) => {
    if (!h || typeof h.id !== 'string')
      errors.push({ path: `/hosts/${i}/id`, message: 'required' });
    else hosts[h.id] = toSimHost(h);
  });
  const instances: SimState['instances'] = {};
  (inventory.instances ?? []).forEach((vm, i) => {
    if (!vm || typeof vm.id !== 'string') {
      errors.push({ path: `/instances/${i}/id`, message: 'required' });
    } else if (!hosts[vm.hostId]) {
      errors.push({ path: `/instances/${i}/hostId`, message: `unknown host ${vm.hostId}` });
    } else {
      instances[vm.id] = {
        ...vm,
        resources: { ...vm.resources },
        groupId: vm.groupId ?? null,
        role: vm.role ?? null,
      };
    }
  });
  if (errors.length > 0) throw new ValidationError('invalid simulator inventory', errors);
  state.hosts = hosts;
  state.instances = instances;
  state.groups = Object.fromEntries((inventory.groups ?? []).map((g) => [g.id, { ...g }]));
  state.operations = {};
}

function toSimHost(h: HostV1): SimHost {
  return {
    id: h.id,
    zone: h.zone,
    status: h.status,
    // A host the inventory calls down runs nothing; model it as powered off.
    power: h.status === 'down' ? 'off' : 'on',
    hypervisor: h.hypervisor,
    driver: h.driver ?? 'simulator',
    capacity: { ...h.capacity },
    labels: { ...(h.labels ?? {}) },
  };
}

const byId = <T extends { id: string }>(a: T, b: T) => a.id.localeCompare(b.id);

/** Where every host and instance really is (`GET /v1/sim/state`). */
export function snapshotState(state: SimState): InventoryV1 {
  return {
    hosts: Object.values(state.hosts)
      .map((h): HostV1 => ({
        id: h.id,
        zone: h.zone,
        status: h.status,
        hypervisor: h.hypervisor,
        driver: h.driver,
        capacity: { ...h.capacity },
        labels: { ...h.labels },
      }))
      .sort(byId),
    instances: Object.values(state.instances)
      .map((vm) => ({ ...vm, resources: { ...vm.resources } }))
      .sort(byId),
    groups: Object.values(state.groups)
      .map((g) => ({ ...g }))
      .sort(byId),
  };
}

/**
 * What the instances on each host hold, per `state.instances` map: summed once, then kept up to
 * date by `moveInstance`, so a start does not add up every instance of the cloud again. Instances
 * change host only through `moveInstance`, and are added or removed only by replacing the whole
 * map (a seed; a store that re-reads instances gives the state a new map), which starts afresh.
 */
const allocations = new WeakMap<SimState['instances'], Map<string, CapacityV1>>();

function allocate(byHost: Map<string, CapacityV1>, hostId: string, r: CapacityV1, sign: 1 | -1) {
  const held = byHost.get(hostId) ?? { vcpus: 0, memoryMb: 0 };
  held.vcpus += sign * r.vcpus;
  held.memoryMb += sign * r.memoryMb;
  byHost.set(hostId, held);
}

function allocationsOf(state: SimState): Map<string, CapacityV1> {
  let byHost = allocations.get(state.instances);
  if (!byHost) {
    byHost = new Map();
    for (const vm of Object.values(state.instances)) allocate(byHost, vm.hostId, vm.resources, 1);
    allocations.set(state.instances, byHost);
  }
  return byHost;
}

/** The one way an instance changes host (cut-over). */
export function moveInstance(state: SimState, vm: InstanceV1, toHostId: string): void {
  const byHost = allocations.get(state.instances);
  if (byHost) {
    allocate(byHost, vm.hostId, vm.resources, -1);
    allocate(byHost, toHostId, vm.resources, 1);
  }
  vm.hostId = toHostId;
}

/** Capacity left on a host: its instances (any state: they keep their allocation) and claims. */
export function freeCapacity(state: SimState, hostId: string): CapacityV1 {
  const host = state.hosts[hostId];
  const held = allocationsOf(state).get(hostId) ?? { vcpus: 0, memoryMb: 0 };
  const free = {
    vcpus: host.capacity.vcpus - held.vcpus,
    memoryMb: host.capacity.memoryMb - held.memoryMb,
  };
  for (const op of Object.values(state.operations)) {
    if (op.claim?.hostId !== hostId) continue;
    free.vcpus -= op.claim.vcpus;
    free.memoryMb -= op.claim.memoryMb;
  }
  return free;
}

/** Whether a host takes new placements: up and powered (disabled and maintenance do not). */
export function acceptsPlacement(host: SimHost): boolean {
  return host.status === 'up' && host.power === 'on';
}

export function isHostRunning(host: SimHost | undefined): boolean {
  return host !== undefined && host.status !== 'down' && host.power === 'on';
}
