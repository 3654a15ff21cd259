import type { GroupStatusV1, GroupV1, HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { HostLoad } from '@reflex/domain/inventory/host-load';
import type { ZoneLosses } from './zone-losses';

export type { HostLoad, ZoneLosses };

/** Open maintenance on a host: requested and not yet completed. */
export interface MaintenanceWindow {
  hostId: string;
  reason: string | null;
  /** ISO-8601. */
  requestedAt: string | null;
  /** ISO-8601: do not start draining before this time. */
  notBefore: string | null;
}

/**
 * What rules may know about the world besides the alarm. The engine implements it over its live
 * inventory; `InMemoryFactSource` implements it over one inventory document (dry runs, fixtures, the
 * CLI). Every lookup answers null for an unknown id rather than throwing: a rule about an instance the
 * inventory has never heard of simply does not match. A lookup that fails (database down) should
 * reject with a retriable error; the evaluation then rejects and the alarm can be retried.
 */
export interface FactSource {
  getHost(id: string): Promise<HostV1 | null>;
  getInstance(id: string): Promise<InstanceV1 | null>;
  getGroup(id: string): Promise<GroupV1 | null>;
  getGroupStatus(groupId: string): Promise<GroupStatusV1 | null>;
  getHostLoad(hostId: string): Promise<HostLoad | null>;
  getOpenMaintenance(hostId: string): Promise<MaintenanceWindow | null>;
  /**
   * The recent losses of the host's zone; `reporting`: the alarm being decided reports this host
   * down, so it counts among them.
   */
  getZoneLosses(hostId: string, reporting: boolean): Promise<ZoneLosses | null>;
  now(): Date;
}
