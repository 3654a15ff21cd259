import type { AlarmV1, GroupStatusV1, GroupV1, HostV1, InstanceV1 } from '@reflex/contracts';
import type { InventoryView } from '@reflex/domain';
import type { GroupStatusService } from '../inventory/group-status.service';
import type { InventorySnapshots } from '../inventory/inventory-snapshots';
import { InventoryRepository } from '../inventory/inventory.repository';
import type { KnownInventory } from '../rules/live-fact-source';

/**
 * The inventory rows an intake batch is about, read once inside its transaction: the resources of
 * its alarms, the hosts and groups of its instances, and on first use those groups' status and the
 * inventory snapshot (most batches need neither: no rule about their alarms' types reads them).
 * Intake never changes the inventory, so these stay what every decision of the batch would have read.
 */
export class BatchInventory implements KnownInventory {
  private snapshot: Promise<InventoryView> | null = null;
  private statuses: Promise<ReadonlyMap<string, GroupStatusV1>> | null = null;

  private constructor(
    private readonly hosts: Map<string, HostV1>,
    private readonly instances: Map<string, InstanceV1>,
    private readonly groups: Map<string, GroupV1>,
    /** Every host id looked up, found or not. */
    readonly hostIds: ReadonlySet<string>,
    private readonly instanceIds: ReadonlySet<string>,
    private readonly groupIds: ReadonlySet<string>,
    private readonly readStatuses: () => Promise<ReadonlyMap<string, GroupStatusV1>>,
    private readonly snapshots: () => Promise<InventoryView>,
  ) {}

  static async load(
    repository: InventoryRepository,
    status: GroupStatusService,
    snapshots: InventorySnapshots,
    alarms: readonly AlarmV1[],
  ): Promise<BatchInventory> {
    const about = (kind: AlarmV1['resource']['kind']) =>
      alarms.filter((a) => a.resource.kind === kind).map((a) => a.resource.id);
    const instanceIds = new Set(about('instance'));
    const instances = await repository.getInstances([...instanceIds]);
    const members = [...instances.values()];
    const hostIds = new Set([...about('host'), ...members.map((i) => i.hostId)]);
    const groupIds = new Set([...about('group'), ...members.flatMap((i) => i.groupId ?? [])]);
    const hosts = await repository.getHosts([...hostIds]);
    const groups = await repository.getGroups([...groupIds]);
    return new BatchInventory(
      hosts,
      instances,
      groups,
      hostIds,
      instanceIds,
      groupIds,
      () => status.statuses([...groups.keys()]),
      () => snapshots.view(),
    );
  }

  host(id: string): HostV1 | null | undefined {
    return this.hostIds.has(id) ? (this.hosts.get(id) ?? null) : undefined;
  }

  instance(id: string): InstanceV1 | null | undefined {
    return this.instanceIds.has(id) ? (this.instances.get(id) ?? null) : undefined;
  }

  group(id: string): GroupV1 | null | undefined {
    return this.groupIds.has(id) ? (this.groups.get(id) ?? null) : undefined;
  }

  /** Every group of the batch's status is read at the first ask, together. */
  groupStatus(id: string): Promise<GroupStatusV1 | null> | undefined {
    if (!this.groupIds.has(id)) return undefined;
    this.statuses ??= this.readStatuses();
    return this.statuses.then((all) => all.get(id) ?? null);
  }

  view(): Promise<InventoryView> {
    this.snapshot ??= this.snapshots();
    return this.snapshot;
  }

  /** Whether the inventory holds what the alarm is about. */
  holds(resource: AlarmV1['resource']): boolean {
    const { kind, id } = resource;
    const found =
      kind === 'host' ? this.host(id) : kind === 'instance' ? this.instance(id) : this.group(id);
    return found !== null && found !== undefined;
  }
}
