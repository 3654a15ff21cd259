// The inventory lists as an operator reads them at a glance (`GET /v1/hosts`, `GET /v1/groups`).
import type { CapacityV1, GroupStatusV1, GroupV1, HostV1, InstanceV1 } from '../inventory.v1';

/** A host as `GET /v1/hosts` lists it: the Host v1 and what is placed on it. */
export interface HostAtAGlanceV1 extends HostV1 {
  load: {
    capacity: CapacityV1;
    used: CapacityV1;
    free: CapacityV1;
    instanceCount: number;
    /** The larger of the vCPU and memory shares used, in percent of raw capacity (no overcommit). */
    percent: number;
  };
}

export interface GroupMemberV1 {
  instance: string;
  host: string;
  role: InstanceV1['role'];
  state: InstanceV1['state'];
  /** Host status, null when the host is not in the inventory. */
  hostStatus: HostV1['status'] | null;
  /** Running on an `up` host: what redundancy counts. */
  healthy: boolean;
}

/** A group as `GET /v1/groups` lists it: the Group v1, its members, and its redundancy. */
export interface GroupAtAGlanceV1 extends GroupV1 {
  members: GroupMemberV1[];
  status: GroupStatusV1;
}
