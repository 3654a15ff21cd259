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

/**
 * The anti-affinity verdict on each candidate host for one instance: the other members of its group
 * that are or will be on that host (or in its rack, or its zone). Which domains the members occupy
 * is worked out once per placement, so judging a host is one lookup rather than a walk over the
 * group; who they are, and the reasons, only for the few judged hosts that hold one.
 */
export function antiAffinityFor(
  view: InventoryView,
  instance: InstanceV1,
  locationOf: (member: InstanceV1) => string,
): (host: HostV1) => readonly Rejection[] {
  const group = view.groupOf(instance);
  if (!group || group.antiAffinity === 'none') return () => NONE;
  const domainOf = DOMAIN_OF[group.antiAffinity];
  // A member on a host the inventory does not know is in no rack and no zone. Host anti-affinity
  // needs no lookup: a forecast places 200,000 instances, each judging its group.
  const domainOfMember = (where: string): string | undefined =>
    group.antiAffinity === 'host' ? where : lookUp(view, where, domainOf);
  const others = view.members(group.id).filter((m) => m.id !== instance.id);
  const occupied = new Set<string | undefined>();
  for (const member of others) occupied.add(domainOfMember(locationOf(member)));
  occupied.delete(undefined);
  return (host) => {
    const domain = domainOf(host);
    if (!occupied.has(domain)) return NONE;
    const occupants: Occupant[] = [];
    for (const member of others) {
      const where = locationOf(member);
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
