import { Injectable } from '@nestjs/common';
import type { GroupAtAGlanceV1, HostAtAGlanceV1 } from '@reflex/contracts';
import { groupStatus, hostLoad, InventoryView, type HostLoad } from '@reflex/domain';
import { GroupSliceRepository } from './group-slice.repository';
import { InventoryRepository } from './inventory.repository';
import { type ListPage, type PageRequest, toPage } from './list-page';

/**
 * The inventory lists as an operator reads them at a glance (issue 20): a host with its load, a
 * group with its members and redundancy. Computed per page by the same domain code as the
 * `hostLoad` fact and the group status, so the lists never disagree with what rules see.
 */
@Injectable()
export class InventoryGlanceService {
  constructor(
    private readonly repository: InventoryRepository,
    private readonly slices: GroupSliceRepository,
  ) {}

  async hosts(page: PageRequest): Promise<ListPage<HostAtAGlanceV1>> {
    const listed = toPage(
      await this.repository.listHosts({ ...page, limit: page.limit + 1 }),
      page.limit,
    );
    const instances = await this.repository.instancesOnHosts(listed.items.map((h) => h.id));
    const view = new InventoryView({ hosts: listed.items, instances, groups: [] });
    const items = listed.items.map((host) => {
      const { hostId: _, ...load } = hostLoad(view, host.id);
      return { ...host, load: { ...load, percent: percentUsed(load) } };
    });
    return { items, nextCursor: listed.nextCursor };
  }

  async groups(page: PageRequest): Promise<ListPage<GroupAtAGlanceV1>> {
    const listed = toPage(
      await this.repository.listGroups({ ...page, limit: page.limit + 1 }),
      page.limit,
    );
    const slice = await this.slices.loadGroupSlice(listed.items.map((g) => g.id));
    const view = new InventoryView(slice.inventory);
    const now = new Date().toISOString();
    const items = listed.items.map((group) => ({
      ...group,
      members: view.members(group.id).map((i) => ({
        instance: i.id,
        host: i.hostId,
        role: i.role ?? null,
        state: i.state,
        hostStatus: view.host(i.hostId)?.status ?? null,
        healthy: view.isHealthy(i),
      })),
      status: groupStatus(view, group.id, {
        previousDegradedSince: slice.degradedSince.get(group.id),
        now,
      }),
    }));
    return { items, nextCursor: listed.nextCursor };
  }
}

function percentUsed(load: Omit<HostLoad, 'hostId'>): number {
  const share = (used: number, capacity: number) => (capacity > 0 ? used / capacity : 0);
  return Math.round(
    100 *
      Math.max(
        share(load.used.vcpus, load.capacity.vcpus),
        share(load.used.memoryMb, load.capacity.memoryMb),
      ),
  );
}
