import type { HostV1 } from '@reflex/contracts/inventory.v1';

/** The host label naming its rack within its zone (CONTRACT §9). */
export const RACK_LABEL = 'rack';

/**
 * What tells racks apart: a host with `labels.rack` is in rack `<zone>/<rack>`, a host without one
 * is a rack of its own. The separator is a control character, which neither a zone nor a host id
 * may hold, so a rack can never be taken for another (say zone `a/b`, rack `c` and zone `a`,
 * rack `b/c`, or a host named like a rack).
 */
export function rackKey(host: Pick<HostV1, 'id' | 'zone' | 'labels'>): string {
  const rack = host.labels?.[RACK_LABEL];
  return rack ? `${host.zone}\u0000${rack}` : `\u0000${host.id}`;
}

/** The rack as operators name it: `<zone>/<rack>`, or the host's own id when it has no rack. */
export function rackName(host: Pick<HostV1, 'id' | 'zone' | 'labels'>): string {
  const rack = host.labels?.[RACK_LABEL];
  return rack ? `${host.zone}/${rack}` : `${host.id} (no rack label)`;
}

export const FAILURE_DOMAIN_KINDS = ['host', 'rack', 'zone'] as const;
export type FailureDomainKind = (typeof FAILURE_DOMAIN_KINDS)[number];

/** The failure domain of this kind a host belongs to, as operators name it (rack `<zone>/<rack>`). */
export function failureDomainOf(
  host: Pick<HostV1, 'id' | 'zone' | 'labels'>,
  kind: FailureDomainKind,
): string {
  if (kind === 'host') return host.id;
  return kind === 'zone' ? host.zone : rackName(host);
}
