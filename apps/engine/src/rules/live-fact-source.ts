import type { GroupStatusV1, GroupV1, HostV1, InstanceV1 } from '@reflex/contracts';
import { hostLoad, InventoryView } from '@reflex/domain';
import type { FactSource, HostLoad, MaintenanceWindow } from '@reflex/rules';
import type { EntityManager } from 'typeorm';
import { GroupStatusService } from '../inventory/group-status.service';
import { InventoryRepository } from '../inventory/inventory.repository';

export interface MaintenanceLookup {
  openMaintenance(hostId: string, manager: EntityManager): Promise<MaintenanceWindow | null>;
}

/**
 * Facts from the live inventory, read inside the deciding transaction so a decision sees the state it
 * commits against. One instance serves one evaluation (json-rules-engine caches each fact per run).
 */
export class LiveFactSource implements FactSource {
  private view: Promise<InventoryView> | null = null;

  constructor(
    private readonly manager: EntityManager,
    private readonly inventory: InventoryRepository,
    private readonly groups: GroupStatusService,
    private readonly maintenance: MaintenanceLookup,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  getHost(id: string): Promise<HostV1 | null> {
    return this.inventory.getHost(id, this.manager);
  }

  getInstance(id: string): Promise<InstanceV1 | null> {
    return this.inventory.getInstance(id, this.manager);
  }

  getGroup(id: string): Promise<GroupV1 | null> {
    return this.inventory.getGroup(id, this.manager);
  }

  async getGroupStatus(groupId: string): Promise<GroupStatusV1 | null> {
    if (!(await this.inventory.getGroup(groupId, this.manager))) return null;
    return this.groups.status(groupId, this.manager);
  }

  async getHostLoad(hostId: string): Promise<HostLoad | null> {
    this.view ??= this.inventory.load(this.manager).then((inv) => new InventoryView(inv));
    const view = await this.view;
    return view.host(hostId) ? hostLoad(view, hostId) : null;
  }

  getOpenMaintenance(hostId: string): Promise<MaintenanceWindow | null> {
    return this.maintenance.openMaintenance(hostId, this.manager);
  }

  now(): Date {
    return this.clock();
  }
}
