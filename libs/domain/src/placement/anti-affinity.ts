import type { GroupV1, HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';
import type { Rejection } from './placement.types';

const NONE: readonly Rejection[] = [];

/** A member of the group and the host it is or will be on. */
interface Occupant {
  member: InstanceV1;
  where: string;
}

/**
 * The anti-affinity verdict on each candidate host for one instance: the other members of its group
 * that are or will be on that host (or in its zone). Where the members are is worked out once per
 * placement, so judging a host is one lookup rather than a walk over the group; the reasons are
 * only worded for the few hosts a placement judges.
 */
export function antiAffinityFor(
  view: InventoryView,
  instance: InstanceV1,
  locationOf: (member: InstanceV1) => string,
): (host: HostV1) => readonly Rejection[] {
  const group = view.groupOf(instance);
  if (!group || group.antiAffinity === 'none') return () => NONE;
  const byHost = group.antiAffinity === 'host';
  const byPlace = new Map<string, Occupant[]>();
  for (const member of view.members(group.id)) {
    if (member.id === instance.id) continue;
    const where = locationOf(member);
    // A member on a host the inventory does not know is in no zone.
    const place = byHost ? where : view.host(where)?.zone;
    if (place === undefined) continue;
    const occupants = byPlace.get(place);
    if (occupants) occupants.push({ member, where });
    else byPlace.set(place, [{ member, where }]);
  }
  return (host) => {
    const place = byHost ? host.id : host.zone;
    return byPlace.get(place)?.map((o) => reason(group, place, o)) ?? NONE;
  };
}

/** `place` is the host id under host anti-affinity, the zone under zone anti-affinity. */
function reason(group: GroupV1, place: string, { member, where }: Occupant): Rejection {
  if (group.antiAffinity === 'host') {
    return {
      code: 'anti-affinity-host',
      message: `anti-affinity (host): group ${group.id} member ${member.id} is or will be on ${where}`,
    };
  }
  return {
    code: 'anti-affinity-zone',
    message: `anti-affinity (zone): group ${group.id} member ${member.id} is or will be in ${place} (${where})`,
  };
}
