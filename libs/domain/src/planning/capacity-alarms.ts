import type { AlarmV1, ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { FailureDomainKind } from '../inventory/failure-domains';
import type { CapacityForecast, ForecastItem } from './capacity-forecast';

/** The alarm Reflex raises into its own intake about a domain it could not fail over now. */
export const CAPACITY_ALARM_TYPE = 'capacity.unsurvivable';
export const CAPACITY_ALARM_SOURCE = 'reflex';

/** A capacity alarm still firing: its id, and the resource it was raised about. */
export interface OpenCapacityAlarm {
  alarmId: string;
  resource: ResourceRefV1;
}

/** One id per domain, stable across rounds and restarts: `capacity.unsurvivable/<kind>/<domain>`. */
export const capacityAlarmId = (kind: FailureDomainKind, domain: string): string =>
  `${CAPACITY_ALARM_TYPE}/${kind}/${domain}`;

/** Reasons quoted in an alarm's summary, and its length at most: the forecast has them all. */
const QUOTED = 3;
const SUMMARY_CHARS = 4000;

/**
 * What to send the intake after a round of forecasts: a firing alarm for each unsurvivable domain
 * without an open one, a resolved one for each open alarm whose domain is survivable again or gone
 * (no domain left to lose). A domain still unsurvivable sends nothing: its alarm stays open.
 *
 * An alarm's resource is a host, the only kind of the three that a domain is made of: the domain's
 * first host by id (the host itself for a host domain); labels `domainKind` and `domain` name the
 * domain. The resolved alarm keeps the resource of the firing one, whatever the hosts are now.
 */
export function capacityAlarms(
  forecasts: readonly CapacityForecast[],
  open: readonly OpenCapacityAlarm[],
  firstHostOf: (kind: FailureDomainKind, domain: string) => string | undefined,
  now: Date,
): AlarmV1[] {
  const openById = new Map(open.map((a) => [a.alarmId, a]));
  const unsurvivable = new Set<string>();
  const alarms: AlarmV1[] = [];
  for (const { domain: kind, items } of forecasts) {
    for (const item of items) {
      if (item.survivable) continue;
      const id = capacityAlarmId(kind, item.id);
      unsurvivable.add(id);
      const hostId = firstHostOf(kind, item.id);
      if (openById.has(id) || !hostId) continue;
      alarms.push(alarm(id, kind, item, { kind: 'host', id: hostId }, 'firing', now));
    }
  }
  const watched = new Set(forecasts.map((f) => f.domain));
  for (const { alarmId, resource } of open) {
    const [kind, ...rest] = alarmId.slice(CAPACITY_ALARM_TYPE.length + 1).split('/');
    if (!watched.has(kind as FailureDomainKind) || unsurvivable.has(alarmId)) continue;
    const domain = rest.join('/');
    alarms.push(alarm(alarmId, kind as FailureDomainKind, domain, resource, 'resolved', now));
  }
  return alarms;
}

function alarm(
  id: string,
  kind: FailureDomainKind,
  item: ForecastItem | string,
  resource: ResourceRefV1,
  state: 'firing' | 'resolved',
  now: Date,
): AlarmV1 {
  const domain = typeof item === 'string' ? item : item.id;
  const summary =
    typeof item === 'string'
      ? `losing ${kind} ${domain} now would leave nothing unplaced`
      : `losing ${kind} ${domain} now would leave ${item.unplaced.length} of ${item.instances} instances unplaced: ` +
        item.unplaced
          .slice(0, QUOTED)
          .map((u) => u.reason)
          .join('; ') +
        (item.unplaced.length > QUOTED ? `; and ${item.unplaced.length - QUOTED} more` : '');
  return {
    id,
    source: CAPACITY_ALARM_SOURCE,
    type: CAPACITY_ALARM_TYPE,
    severity: 'major',
    state,
    resource,
    occurredAt: now.toISOString(),
    labels: { domainKind: kind, domain },
    annotations: { summary: summary.slice(0, SUMMARY_CHARS) },
    value: typeof item === 'string' ? 0 : item.unplaced.length,
  };
}
