import type { GroupStatusV1, GroupV1, HostV1, InstanceV1 } from '@reflex/contracts';
import { hostLoad, type InventoryView } from '@reflex/domain';
import {
  type FactSource,
  type HostLoad,
  type MaintenanceWindow,
  type ZoneLosses,
  zoneLosses,
} from '@reflex/rules';
import { GroupStatusService } from '../inventory/group-status.service';
import { InventoryRepository } from '../inventory/inventory.repository';
import { InventorySnapshots } from '../inventory/inventory-snapshots';

export interface MaintenanceLookup {
  openMaintenance(hostId: string): Promise<MaintenanceWindow | null>;
}

/** Hosts reported down within the zone-loss window (CONTRACT §9), as the deciding caller sees them. */
export interface RecentHostDownLookup {
  reportedDown(): Promise<ReadonlySet<string>>;
}

/**
 * Inventory rows the caller read already in the same transaction: a row, null for an id it looked
 * up and did not find, undefined for an id it did not look up.
 */
export interface KnownInventory {
  host(id: string): HostV1 | null | undefined;
  instance(id: string): InstanceV1 | null | undefined;
  group(id: string): GroupV1 | null | undefined;
  /** Undefined when not known; a read the caller shares otherwise. */
  groupStatus(id: string): Promise<GroupStatusV1 | null> | undefined;
  /** The inventory snapshot, shared by the evaluations of a batch. */
  view(): Promise<InventoryView> | undefined;
}

const NOTHING_KNOWN: KnownInventory = {
  host: () => undefined,
  instance: () => undefined,
  group: () => undefined,
  groupStatus: () => undefined,
  view: () => undefined,
};

/**
 * Facts from the live inventory, read inside the deciding transaction so a decision sees the state it
 * commits against. One instance serves one evaluation (json-rules-engine caches each fact per run).
 */
export class LiveFactSource implements FactSource {
  private view: Promise<InventoryView> | null = null;

  constructor(
    private readonly inventory: InventoryRepository,
    private readonly snapshots: InventorySnapshots,
    private readonly groups: GroupStatusService,
    private readonly maintenance: MaintenanceLookup,
    private readonly recentDowns: RecentHostDownLookup,
    private readonly known: KnownInventory = NOTHING_KNOWN,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  getHost(id: string): Promise<HostV1 | null> {
    return orRead(this.known.host(id), () => this.inventory.getHost(id));
  }

  getInstance(id: string): Promise<InstanceV1 | null> {
    return orRead(this.known.instance(id), () => this.inventory.getInstance(id));
  }

  getGroup(id: string): Promise<GroupV1 | null> {
    return orRead(this.known.group(id), () => this.inventory.getGroup(id));
  }

  async getGroupStatus(groupId: string): Promise<GroupStatusV1 | null> {
    const known = this.known.groupStatus(groupId);
    if (known !== undefined) return known;
    if (!(await this.getGroup(groupId))) return null;
    return this.groups.status(groupId);
  }

  async getHostLoad(hostId: string): Promise<HostLoad | null> {
    const view = await this.inventoryView();
    return view.host(hostId) ? hostLoad(view, hostId) : null;
  }

  async getZoneLosses(hostId: string, reporting: boolean): Promise<ZoneLosses | null> {
    const view = await this.inventoryView();
    const host = view.host(hostId);
    if (!host) return null;
    const reported = new Set(await this.recentDowns.reportedDown());
    if (reporting) reported.add(hostId);
    return zoneLosses(host, view.hosts(), reported);
  }

  getOpenMaintenance(hostId: string): Promise<MaintenanceWindow | null> {
    return this.maintenance.openMaintenance(hostId);
  }

  now(): Date {
    return this.clock();
  }

  private inventoryView(): Promise<InventoryView> {
    this.view ??= this.known.view() ?? this.snapshots.view();
    return this.view;
  }
}

/** What the caller knows (a row, or null: known to be absent), else a read. */
function orRead<T>(known: T | null | undefined, read: () => Promise<T | null>): Promise<T | null> {
  return known !== undefined ? Promise.resolve(known) : read();
}
