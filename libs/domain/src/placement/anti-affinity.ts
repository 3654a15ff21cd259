import type { AntiAffinity, GroupV1, HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import { rackKey, rackName } from '../inventory/failure-domains';
import type { InventoryView } from '../inventory/inventory-view';
import type { Rejection } from './placement.types';

const NONE: readonly Rejection[] = [];

/** A member of the group and the host it is or will be on. */
interface Occupant {
  member: InstanceV1;
  where: string;
}

type Domain = Exclude<AntiAffinity, 'none'>;

/** The failure domain of `domain` kind that a host is in: itself, its rack or its zone. */
const DOMAIN_OF: Record<Domain, (host: HostV1) => string> = {
  host: (host) => host.id,
  rack: rackKey,
  zone: (host) => host.zone,
};

/** Where a solver has moved members of a group to (in-flight and its own placements). */
export interface PlannedLocations {
  locationOf(member: InstanceV1): string;
  /** The group's members with a planned location; where the inventory has them is their hostId. */
  moved(groupId: string): readonly InstanceV1[];
}

/**
 * Per group (keyed by the view's members array, which views made by withHostsDown share) and
 * anti-affinity kind: how many members the inventory has in each domain. A forecast places every
 * instance of the cloud, each judging its group: counting the group once per view, then correcting
 * for the few members the plans move, spares a walk over the group per placement.
 */
const inventoryCounts = new WeakMap<readonly InstanceV1[], Map<string, number>>();

/**
 * The anti-affinity verdict on each candidate host for one instance: the other members of its group
 * that are or will be on that host (or in its rack, or its zone). Whether a domain holds one is a
 * count (the inventory's, corrected for the members moved); who they are, and the reasons, only for
 * the few judged hosts that hold one.
 */
export function antiAffinityFor(
  view: InventoryView,
  instance: InstanceV1,
  planned: PlannedLocations,
): (host: HostV1) => readonly Rejection[] {
  const group = view.groupOf(instance);
  if (!group || group.antiAffinity === 'none') return () => NONE;
  const domainOf = DOMAIN_OF[group.antiAffinity];
  // A member on a host the inventory does not know is in no rack and no zone. Host anti-affinity
  // needs no lookup.
  const domainOfMember = (where: string): string | undefined =>
    group.antiAffinity === 'host' ? where : lookUp(view, where, domainOf);
  const members = view.members(group.id);
  let counts = inventoryCounts.get(members);
  if (!counts) {
    counts = new Map();
    for (const member of members) {
      const domain = domainOfMember(member.hostId);
      if (domain !== undefined) counts.set(domain, (counts.get(domain) ?? 0) + 1);
    }
    inventoryCounts.set(members, counts);
  }
  const own = domainOfMember(instance.hostId);
  const moved = planned.moved(group.id).filter((m) => m.id !== instance.id);
  const inventory = counts;
  return (host) => {
    const domain = domainOf(host);
    let others = (inventory.get(domain) ?? 0) - (own === domain ? 1 : 0);
    for (const m of moved) {
      if (domainOfMember(m.hostId) === domain) others -= 1;
      if (domainOfMember(planned.locationOf(m)) === domain) others += 1;
    }
    if (others <= 0) return NONE;
    const occupants: Occupant[] = [];
    for (const member of members) {
      if (member.id === instance.id) continue;
      const where = planned.locationOf(member);
      if (domainOfMember(where) === domain) occupants.push({ member, where });
    }
    return occupants.map((o) => reason(group, host, o));
  };
}

function lookUp(
  view: InventoryView,
  hostId: string,
  domainOf: (host: HostV1) => string,
): string | undefined {
  const host = view.host(hostId);
  return host && domainOf(host);
}

function reason(group: GroupV1, host: HostV1, { member, where }: Occupant): Rejection {
  const prefix = `anti-affinity (${group.antiAffinity}): group ${group.id} member ${member.id}`;
  if (group.antiAffinity === 'host') {
    return { code: 'anti-affinity-host', message: `${prefix} is or will be on ${where}` };
  }
  if (group.antiAffinity === 'rack') {
    return {
      code: 'anti-affinity-rack',
      message: `${prefix} is or will be in rack ${rackName(host)} (${where})`,
    };
  }
  return {
    code: 'anti-affinity-zone',
    message: `${prefix} is or will be in ${host.zone} (${where})`,
  };
}
