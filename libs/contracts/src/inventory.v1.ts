/** Inventory documents (CONTRACT.md §4). */
export const HOST_STATUSES = ['up', 'down', 'disabled', 'maintenance'] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

export const DRIVER_BACKENDS = ['simulator', 'libvirt', 'openstack'] as const;
export type DriverBackend = (typeof DRIVER_BACKENDS)[number];

export const INSTANCE_KINDS = ['vm', 'baremetal'] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

export const INSTANCE_STATES = ['running', 'stopped', 'error', 'migrating'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export const INSTANCE_ROLES = ['active', 'standby'] as const;
export type InstanceRole = (typeof INSTANCE_ROLES)[number];

/**
 * Failure domains a group's members keep apart: a host, a rack (`<zone>/<labels.rack>`; a host
 * without a rack label is a rack of its own), a zone, or nothing.
 */
export const ANTI_AFFINITIES = ['host', 'rack', 'zone', 'none'] as const;
export type AntiAffinity = (typeof ANTI_AFFINITIES)[number];

export interface CapacityV1 {
  vcpus: number;
  memoryMb: number;
}

export interface HostV1 {
  id: string;
  zone: string;
  status: HostStatus;
  hypervisor: string;
  driver: DriverBackend;
  capacity: CapacityV1;
  labels?: Record<string, string>;
}

export interface InstanceV1 {
  id: string;
  hostId: string;
  kind: InstanceKind;
  state: InstanceState;
  resources: CapacityV1;
  groupId?: string | null;
  role?: InstanceRole | null;
  /**
   * 0-100, default 50 (DEFAULT_PRIORITY): when a plan cannot place every instance it moves, the
   * higher ones are placed and started first.
   */
  priority?: number;
}

export const DEFAULT_PRIORITY = 50;
export const priorityOf = (instance: Pick<InstanceV1, 'priority'>): number =>
  instance.priority ?? DEFAULT_PRIORITY;

export interface GroupV1 {
  id: string;
  /** N: how many members serve. */
  active: number;
  /** How many members wait as standby. */
  standby: number;
  antiAffinity: AntiAffinity;
}

export interface InventoryV1 {
  hosts: HostV1[];
  instances: InstanceV1[];
  groups: GroupV1[];
}

/** `GET /v1/groups/:id/status`. */
export interface GroupStatusV1 {
  healthyActive: number;
  healthyStandby: number;
  redundant: boolean;
  degradedSince: string | null;
}

export const INVENTORY_OBJECT_KINDS = ['host', 'instance', 'group'] as const;
export type InventoryObjectKind = (typeof INVENTORY_OBJECT_KINDS)[number];

export const INVENTORY_OPS = ['upsert', 'delete'] as const;
export type InventoryOp = (typeof INVENTORY_OPS)[number];

/**
 * Inventory upsert/delete v1: the value on the `inventory` topic, keyed by object id.
 * `object` is required for `upsert` and ignored for `delete`.
 */
export type InventoryMessageV1 =
  | { op: 'upsert'; kind: 'host'; id: string; object: HostV1 }
  | { op: 'upsert'; kind: 'instance'; id: string; object: InstanceV1 }
  | { op: 'upsert'; kind: 'group'; id: string; object: GroupV1 }
  | { op: 'delete'; kind: InventoryObjectKind; id: string };
