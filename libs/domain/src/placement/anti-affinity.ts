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
 * that are or will be on that host (or in its rack, or its zone). Where the members are is worked
 * out once per placement, so judging a host is one lookup rather than a walk over the group; the
 * reasons are only worded for the few hosts a placement judges.
 */
export function antiAffinityFor(
  view: InventoryView,
  instance: InstanceV1,
  locationOf: (member: InstanceV1) => string,
): (host: HostV1) => readonly Rejection[] {
  const group = view.groupOf(instance);
  if (!group || group.antiAffinity === 'none') return () => NONE;
  const domainOf = DOMAIN_OF[group.antiAffinity];
  const byDomain = new Map<string, Occupant[]>();
  for (const member of view.members(group.id)) {
    if (member.id === instance.id) continue;
    const where = locationOf(member);
    // A member on a host the inventory does not know is in no rack and no zone. Host
    // anti-affinity needs no lookup: a forecast places 200,000 instances, each judging its group.
    const domain = group.antiAffinity === 'host' ? where : lookUp(view, where, domainOf);
    if (domain === undefined) continue;
    const occupants = byDomain.get(domain);
    if (occupants) occupants.push({ member, where });
    else byDomain.set(domain, [{ member, where }]);
  }
  return (host) => byDomain.get(domainOf(host))?.map((o) => reason(group, host, o)) ?? NONE;
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
