import type { AlarmV1, ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { FailureDomainKind } from '../inventory/failure-domains';
import type { CapacityForecast, ForecastItem } from './capacity-forecast';

/** The alarm Reflex raises into its own intake about a domain it could not fail over now. */
export const CAPACITY_ALARM_TYPE = 'capacity.unsurvivable';
export const CAPACITY_ALARM_SOURCE = 'reflex';

/** A capacity alarm still firing: its id, the resource it was raised about, and its domain. */
export interface OpenCapacityAlarm {
  alarmId: string;
  resource: ResourceRefV1;
  kind: FailureDomainKind;
  domain: string;
}

/** Alarm ids are at most this long (alarm v1). */
const MAX_ID = 256;

/**
 * One id per domain, stable across rounds and restarts: `capacity.unsurvivable/<kind>/<domain>`.
 * A domain named too long for an alarm id (a host id may take all 256 characters) is cut, with a
 * hash of the whole name so that two such domains keep apart.
 */
export function capacityAlarmId(kind: FailureDomainKind, domain: string): string {
  const id = `${CAPACITY_ALARM_TYPE}/${kind}/${domain}`;
  if (id.length <= MAX_ID) return id;
  const hash = `~${fnv1a(domain)}`;
  return id.slice(0, MAX_ID - hash.length) + hash;
}

/** 32-bit FNV-1a, hex: enough to tell apart names that share their first 200 characters. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

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
  for (const { alarmId, resource, kind, domain } of open) {
    if (!watched.has(kind) || unsurvivable.has(alarmId)) continue;
    alarms.push(alarm(alarmId, kind, domain, resource, 'resolved', now));
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
