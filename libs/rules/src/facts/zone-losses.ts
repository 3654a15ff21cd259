import type { HostV1 } from '@reflex/contracts/inventory.v1';

/**
 * How far back a host.down report counts towards its zone's recent losses. Fixed rather than a rule
 * parameter (json-rules-engine fact params are not supported, CONTRACT §5): rules compare the
 * counts, and `windowSeconds` says which window they were counted over.
 */
export const ZONE_LOSS_WINDOW_SECONDS = 120;

/** The `zoneLosses` fact: what the alarm's host's zone lost lately (CONTRACT §9, storm guard). */
export interface ZoneLosses {
  zone: string;
  /** Hosts of the zone in the inventory, whatever their status. */
  hosts: number;
  /**
   * Hosts of the zone reported down (a `host.down` alarm firing, not a duplicate) within the last
   * `windowSeconds`, the alarm being decided included.
   */
  reportedDown: number;
  /** reportedDown / hosts, 0 to 1. */
  reportedDownShare: number;
  /** Their ids, sorted, for the explanation. */
  reportedDownHostIds: string[];
  /** Hosts of the zone whose inventory status is `down` now. */
  statusDown: number;
  windowSeconds: number;
}

/** The zone of `host` among `hosts` (the whole inventory), with `reported` the recent reports. */
export function zoneLosses(
  host: HostV1,
  hosts: readonly HostV1[],
  reported: ReadonlySet<string>,
): ZoneLosses {
  const zone = hosts.filter((h) => h.zone === host.zone);
  const down = zone.filter((h) => reported.has(h.id)).map((h) => h.id);
  return {
    zone: host.zone,
    hosts: zone.length,
    reportedDown: down.length,
    reportedDownShare: zone.length === 0 ? 0 : down.length / zone.length,
    reportedDownHostIds: down.sort(),
    statusDown: zone.filter((h) => h.status === 'down').length,
    windowSeconds: ZONE_LOSS_WINDOW_SECONDS,
  };
}

/** Whether the alarm is itself a report that its host is down (it then counts in its zone's losses). */
export function reportsHostDown(alarm: {
  type: string;
  state?: string;
  resource: { kind: string };
}): boolean {
  return (
    alarm.type === 'host.down' &&
    (alarm.state ?? 'firing') === 'firing' &&
    alarm.resource.kind === 'host'
  );
}
