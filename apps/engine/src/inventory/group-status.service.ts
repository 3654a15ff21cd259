import { Injectable } from '@nestjs/common';
import { NotFoundError } from '@reflex/common';
import type { GroupStatusV1 } from '@reflex/contracts';
import {
  groupStatus,
  InventoryView,
  sharedFailureDomains,
  type SharedFailureDomain,
} from '@reflex/domain';
import { GroupSliceRepository } from './group-slice.repository';

export type GroupPosture = GroupStatusV1 & { sharedFailureDomains: SharedFailureDomain[] };

/**
 * Group redundancy (CONTRACT §4): the domain computes it; this keeps `groups.degraded_since` in step
 * with it after every inventory change, so "degraded since" survives restarts and is the moment the
 * group lost redundancy, not the moment someone asked.
 */
@Injectable()
export class GroupStatusService {
  constructor(private readonly repository: GroupSliceRepository) {}

  /** The redundancy, and where one failure would take an active and its standby (CONTRACT §10). */
  async status(groupId: string): Promise<GroupPosture> {
    const found = (await this.statuses([groupId])).get(groupId);
    if (!found) throw new NotFoundError('group', groupId);
    return found;
  }

  /** `status` of several groups, read together; groups that do not exist are left out. */
  async statuses(groupIds: readonly string[]): Promise<Map<string, GroupPosture>> {
    const found = new Map<string, GroupPosture>();
    if (groupIds.length === 0) return found;
    const slice = await this.repository.loadGroupSlice([...groupIds]);
    const view = new InventoryView(slice.inventory);
    const now = new Date().toISOString();
    for (const [id, previousDegradedSince] of slice.degradedSince) {
      const status = groupStatus(view, id, { previousDegradedSince, now });
      found.set(id, { ...status, sharedFailureDomains: sharedFailureDomains(view, id) });
    }
    return found;
  }

  /**
   * Recomputes the given groups inside the caller's transaction, after its changes: sets
   * `degraded_since` when a group has just lost redundancy (keeping an earlier start), clears it when
   * the group is redundant again. Groups that no longer exist are skipped.
   */
  async refresh(groupIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(groupIds)].sort();
    if (ids.length === 0) return;
    const slice = await this.repository.loadGroupSlice(ids, { lock: true });
    const view = new InventoryView(slice.inventory);
    const now = new Date().toISOString();
    const updates: { id: string; degradedSince: string | null }[] = [];
    for (const [id, previous] of slice.degradedSince) {
      const { degradedSince } = groupStatus(view, id, { previousDegradedSince: previous, now });
      if (degradedSince !== previous) updates.push({ id, degradedSince });
    }
    await this.repository.setDegradedSince(updates);
  }
}
