import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { HostV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';

/**
 * Planning cells (issue 18): a cell is the set of hosts whose `labels[cellLabel]` has one value.
 * Moves stay within a cell, so each cell is planned on its own (its own lock, its own live plans and
 * reservations) and engine replicas plan different cells at the same time. Without a cell label the
 * whole cloud is one cell; a host without the label belongs to the cell named `''` (unlabelled).
 */
export const ONE_CELL = '';

export const cellOfHost = (host: HostV1 | undefined, cellLabel: string | null): string =>
  cellLabel && host ? (host.labels?.[cellLabel] ?? ONE_CELL) : ONE_CELL;

export type CellOfDecision = { cell: string; refused: null } | { cell: null; refused: string };

/**
 * The cell a decision about `target` is planned in: its host's; for a group, or an instance of a
 * group, the cell all the group's members are in. A group with members in more than one cell is
 * refused: its plan (a switch-over, a restore) would act in a cell whose planner might be promising
 * the same hosts at the same time.
 */
export function cellOfDecision(
  view: InventoryView,
  target: ResourceRefV1,
  cellLabel: string | null,
): CellOfDecision {
  if (!cellLabel) return { cell: ONE_CELL, refused: null };
  const hostCell = (hostId: string | undefined) =>
    cellOfHost(hostId === undefined ? undefined : view.host(hostId), cellLabel);
  switch (target.kind) {
    case 'host':
      return { cell: hostCell(target.id), refused: null };
    case 'instance': {
      const instance = view.instance(target.id);
      if (instance?.groupId)
        return cellOfDecision(view, { kind: 'group', id: instance.groupId }, cellLabel);
      return { cell: hostCell(instance?.hostId), refused: null };
    }
    case 'group': {
      const cells = [...new Set(view.members(target.id).map((m) => hostCell(m.hostId)))].sort();
      if (cells.length <= 1) return { cell: cells[0] ?? ONE_CELL, refused: null };
      const names = cells.map((c) => (c === ONE_CELL ? '(unlabelled)' : c)).join(', ');
      return {
        cell: null,
        refused: `group ${target.id} has members in planning cells ${names} (host label ${cellLabel}); a plan's moves must stay within one cell`,
      };
    }
  }
}

/**
 * The part of the inventory a cell's planner sees: the cell's hosts, the instances on them, and the
 * groups with a member there. Placement over it cannot choose a host of another cell.
 */
export function cellInventory(
  inventory: InventoryV1,
  cell: string,
  cellLabel: string | null,
): InventoryV1 {
  if (!cellLabel) return inventory;
  const hosts = inventory.hosts.filter((h) => cellOfHost(h, cellLabel) === cell);
  const hostIds = new Set(hosts.map((h) => h.id));
  const instances = inventory.instances.filter((i) => hostIds.has(i.hostId));
  const groupIds = new Set(
    instances.map((i) => i.groupId).filter((g): g is string => typeof g === 'string'),
  );
  const groups = inventory.groups.filter((g) => groupIds.has(g.id));
  return { ...inventory, hosts, instances, groups };
}
