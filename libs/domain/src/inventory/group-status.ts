import type { GroupStatusV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from './inventory-view';

export interface GroupStatusInput {
  /** What the previous status said, so a group that stays degraded keeps its original start. */
  previousDegradedSince?: string | null;
  /** ISO-8601; becomes `degradedSince` when the group turns degraded now. */
  now: string;
}

/**
 * healthy = running on an `up` host; redundant = enough healthy actives and standbys. An unknown
 * group reports zero healthy members (and therefore is not redundant unless it asks for nothing).
 */
export function groupStatus(
  view: InventoryView,
  groupId: string,
  input: GroupStatusInput,
): GroupStatusV1 {
  const group = view.group(groupId);
  const healthy = view.members(groupId).filter((m) => view.isHealthy(m));
  const healthyActive = healthy.filter((m) => m.role === 'active').length;
  const healthyStandby = healthy.filter((m) => m.role === 'standby').length;
  const redundant = !!group && healthyActive >= group.active && healthyStandby >= group.standby;
  return {
    healthyActive,
    healthyStandby,
    redundant,
    degradedSince: redundant ? null : (input.previousDegradedSince ?? input.now),
  };
}
