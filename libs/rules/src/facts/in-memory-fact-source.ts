import type {
  GroupStatusV1,
  GroupV1,
  HostV1,
  InstanceV1,
  InventoryV1,
} from '@reflex/contracts/inventory.v1';
import { groupStatus } from '@reflex/domain/inventory/group-status';
import { hostLoad } from '@reflex/domain/inventory/host-load';
import { InventoryView } from '@reflex/domain/inventory/inventory-view';
import type { FactSource, HostLoad, MaintenanceWindow } from './fact-source';
import { type ZoneLosses, zoneLosses } from './zone-losses';

export interface InMemoryFactSourceOptions {
  /** The clock for the `now` fact, and for `degradedSince` of a group that is degraded. */
  now?: Date | (() => Date);
  /** Open maintenance windows; an inventory document does not carry them. */
  maintenance?: MaintenanceWindow[];
  /** Known degradation start per group id (an inventory document does not carry it either). */
  degradedSince?: Record<string, string>;
  /**
   * Hosts reported down within the zone-loss window. An inventory document carries no alarms, so
   * by default its hosts whose status is `down` stand for them.
   */
  reportedDown?: readonly string[];
}

/**
 * A FactSource over one inventory document, for dry runs, fixtures and the CLI. Missing lists in a
 * partial document count as empty. Health and load use the domain's own definitions, so a dry run
 * sees what the planner will see.
 */
export class InMemoryFactSource implements FactSource {
  private readonly view: InventoryView;
  private readonly clock: () => Date;
  private readonly maintenance: Map<string, MaintenanceWindow>;

  constructor(
    inventory: Partial<InventoryV1> = {},
    private readonly options: InMemoryFactSourceOptions = {},
  ) {
    this.view = new InventoryView({
      hosts: inventory.hosts ?? [],
      instances: inventory.instances ?? [],
      groups: inventory.groups ?? [],
    });
    const now = options.now;
    this.clock = typeof now === 'function' ? now : now ? () => now : () => new Date();
    this.maintenance = new Map((options.maintenance ?? []).map((m) => [m.hostId, m]));
  }

  async getHost(id: string): Promise<HostV1 | null> {
    return this.view.host(id) ?? null;
  }

  async getInstance(id: string): Promise<InstanceV1 | null> {
    return this.view.instance(id) ?? null;
  }

  async getGroup(id: string): Promise<GroupV1 | null> {
    return this.view.group(id) ?? null;
  }

  async getGroupStatus(groupId: string): Promise<GroupStatusV1 | null> {
    if (!this.view.group(groupId)) return null;
    return groupStatus(this.view, groupId, {
      now: this.clock().toISOString(),
      previousDegradedSince: this.options.degradedSince?.[groupId] ?? null,
    });
  }

  async getHostLoad(hostId: string): Promise<HostLoad | null> {
    return this.view.host(hostId) ? hostLoad(this.view, hostId) : null;
  }

  async getOpenMaintenance(hostId: string): Promise<MaintenanceWindow | null> {
    return this.maintenance.get(hostId) ?? null;
  }

  async getZoneLosses(hostId: string, reporting: boolean): Promise<ZoneLosses | null> {
    const host = this.view.host(hostId);
    if (!host) return null;
    const hosts = this.view.hosts();
    const reported = new Set(
      this.options.reportedDown ?? hosts.filter((h) => h.status === 'down').map((h) => h.id),
    );
    if (reporting) reported.add(hostId);
    return zoneLosses(host, hosts, reported);
  }

  now(): Date {
    return this.clock();
  }
}
