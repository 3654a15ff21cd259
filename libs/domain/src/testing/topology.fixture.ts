/** Hand-made topologies for the domain specs: small builders with defaults that say what matters. */
import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { Policy } from '@reflex/contracts/plan.v1';
import type { PlacementConfig } from '../placement/placement.types';
import type { PlanIntent, PlanningConfig } from '../planning/plan-intent';

export const NOW = '2026-11-20T10:00:00.000Z';
export const NO_OVERCOMMIT: PlacementConfig = { cpuOvercommit: 1, memoryOvercommit: 1 };
export const PLANNING: PlanningConfig = { placement: NO_OVERCOMMIT };

/** 16 vcpus, 32 GiB, zone az1, up, kvm. */
export function host(id: string, over: Partial<HostV1> = {}): HostV1 {
  return {
    id,
    zone: 'az1',
    status: 'up',
    hypervisor: 'kvm',
    driver: 'simulator',
    capacity: { vcpus: 16, memoryMb: 32768 },
    labels: {},
    ...over,
  };
}

/** A running VM with 4 vcpus and 8 GiB. */
export function vm(id: string, hostId: string, over: Partial<InstanceV1> = {}): InstanceV1 {
  return {
    id,
    hostId,
    kind: 'vm',
    state: 'running',
    resources: { vcpus: 4, memoryMb: 8192 },
    groupId: null,
    role: null,
    ...over,
  };
}

export function bm(id: string, hostId: string, over: Partial<InstanceV1> = {}): InstanceV1 {
  return vm(id, hostId, { kind: 'baremetal', ...over });
}

export function member(
  id: string,
  hostId: string,
  groupId: string,
  role: 'active' | 'standby',
  over: Partial<InstanceV1> = {},
): InstanceV1 {
  return vm(id, hostId, { groupId, role, ...over });
}

/** N=1 active, 1 standby, host anti-affinity. */
export function group(id: string, over: Partial<GroupV1> = {}): GroupV1 {
  return { id, active: 1, standby: 1, antiAffinity: 'host', ...over };
}

export function inventory(
  hosts: HostV1[],
  instances: InstanceV1[],
  groups: GroupV1[] = [],
): InventoryV1 {
  return { hosts, instances, groups };
}

export function intent(
  policy: Policy,
  target: ResourceRefV1,
  over: Partial<PlanIntent> = {},
): PlanIntent {
  return {
    policy,
    target,
    mode: 'auto',
    onFailure: 'rollback',
    rule: { name: `${policy}-rule`, version: 1, hash: 'sha256:abc' },
    alarm: { id: 'alarm-1', source: 'test', type: 'host.down' },
    ...over,
  };
}

/** Ids p1, p2, ... in call order, so specs can name actions. */
export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}
