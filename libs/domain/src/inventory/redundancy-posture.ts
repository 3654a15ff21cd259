import { FAILURE_DOMAIN_KINDS, failureDomainOf, type FailureDomainKind } from './failure-domains';
import type { InventoryView } from './inventory-view';

export interface SharedFailureDomain {
  kind: FailureDomainKind;
  id: string;
  /** The group's members in that domain, actives and standbys, sorted by id. */
  members: string[];
}

/**
 * Where a group's actives and standbys sit together (CONTRACT §10, redundancy posture): one
 * failure of that host, rack or zone takes the active and the standby meant to replace it, so the
 * group is redundant on paper only. Members on unknown hosts are left out: they are nowhere yet.
 */
export function sharedFailureDomains(view: InventoryView, groupId: string): SharedFailureDomain[] {
  const shared: SharedFailureDomain[] = [];
  for (const kind of FAILURE_DOMAIN_KINDS) {
    const byDomain = new Map<string, { ids: string[]; roles: Set<string | null | undefined> }>();
    for (const member of view.members(groupId)) {
      const host = view.host(member.hostId);
      if (!host) continue;
      const id = failureDomainOf(host, kind);
      const entry = byDomain.get(id) ?? { ids: [], roles: new Set() };
      entry.ids.push(member.id);
      entry.roles.add(member.role);
      byDomain.set(id, entry);
    }
    for (const [id, { ids, roles }] of [...byDomain].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (roles.has('active') && roles.has('standby'))
        shared.push({ kind, id, members: ids.sort() });
    }
  }
  return shared;
}
