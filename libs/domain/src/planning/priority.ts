import { priorityOf, type InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';
import type { PlacementBlocked } from '../placement/placement.types';

/**
 * Highest priority first; otherwise the order given is kept (sort is stable), so a policy's own
 * order (down instances before standbys, largest first) decides between equal priorities.
 */
export function byPriority<T>(items: readonly T[], instanceOf: (item: T) => InstanceV1): T[] {
  return [...items].sort((a, b) => priorityOf(instanceOf(b)) - priorityOf(instanceOf(a)));
}

const gib = (mb: number): string => `${Number((mb / 1024).toFixed(2))} GiB`;

/**
 * One instance a plan could find no host for, as its reason names it: who, at what priority, and
 * the constraint in words. The per-host verdicts stay in the plan's explanation (placements).
 */
export function leftOut(
  view: InventoryView,
  instance: InstanceV1,
  placed: PlacementBlocked,
): string {
  const who = `${instance.id} (priority ${priorityOf(instance)})`;
  const { vcpus, memoryMb } = instance.resources;
  const room = `${vcpus} vCPU / ${gib(memoryMb)} free`;
  const group = view.groupOf(instance);
  const keeps = group ? `group ${group.id}'s ${group.antiAffinity} anti-affinity` : 'anti-affinity';
  const capacity = placed.constraints.includes('capacity');
  if (placed.constraints.includes('anti-affinity')) {
    return capacity
      ? `${who}: no host has ${room} and keeps ${keeps}`
      : `${who}: every host with ${room} breaks ${keeps}`;
  }
  if (capacity) return `${who}: no host has ${room}`;
  // Unknown, baremetal, no eligible host: the solver's own words say it best.
  return `${who}: ${placed.reason.replace(`no host for ${instance.id}: `, '')}`;
}
