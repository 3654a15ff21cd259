import { ValidationError } from '@reflex/common';
import type { AlarmSeverity, AlarmV1, ResourceRefV1 } from '@reflex/contracts';
import { checkedItem, rejectedAlert, type WebhookItem } from './webhook-item';

/** The body Aodh's REST alarm notifier posts to an alarm action URL. */
export interface AodhNotification {
  alarm_id: string;
  alarm_name: string;
  severity?: string;
  previous?: string;
  current: string;
  reason?: string;
  reason_data?: {
    type?: string;
    event?: { event_type?: string; generated?: string; traits?: Array<[string, number, unknown]> };
  };
}

/** Hints an operator puts on the alarm action URL, e.g. `?type=host.down&kind=host&id=cmp-03`. */
export interface AodhHints {
  type?: string;
  kind?: string;
  id?: string;
}

const SEVERITY: Record<string, AlarmSeverity> = {
  critical: 'critical',
  moderate: 'major',
  low: 'minor',
};
const TRAIT_RESOURCES: Array<[string, ResourceRefV1['kind']]> = [
  ['instance_id', 'instance'],
  ['host', 'host'],
  ['hostname', 'host'],
];

function traitsOf(n: AodhNotification): Map<string, string> {
  const traits = new Map<string, string>();
  // The body is the sender's: traits that are not a list of [name, type, value] triples are
  // ignored here (the resource is then missing, and said so), never trusted to be iterable.
  const listed: unknown = n.reason_data?.event?.traits;
  for (const trait of Array.isArray(listed) ? listed : []) {
    if (!Array.isArray(trait)) continue;
    const [name, , value] = trait as unknown[];
    // Trait values are strings, numbers or datetimes; an id is never an object.
    if (typeof name === 'string' && (typeof value === 'string' || typeof value === 'number')) {
      traits.set(name, String(value));
    }
  }
  return traits;
}

function resourceOf(n: AodhNotification, hints: AodhHints): ResourceRefV1 | null {
  if (hints.kind && hints.id) return { kind: hints.kind as ResourceRefV1['kind'], id: hints.id };
  const traits = traitsOf(n);
  for (const [trait, kind] of TRAIT_RESOURCES) {
    const id = traits.get(trait);
    if (id) return { kind, id };
  }
  return null;
}

/**
 * Aodh notification → one item, or null for a transition Reflex does not act on (`insufficient
 * data`). Aodh's body names neither an alarm type nor a resource for threshold alarms, so they come
 * from the action URL's query (`type`, `kind`, `id`); event alarms carry the resource in their traits
 * and the alarm name serves as type when the URL gives none. Only a body that is not an Aodh
 * notification (no `alarm_id`, no `current`) is refused; one Reflex cannot map is a rejected alarm.
 */
export function alarmFromAodh(body: unknown, hints: AodhHints, now: Date): WebhookItem | null {
  const n = body as Partial<AodhNotification> | null;
  if (!n || typeof n !== 'object' || Array.isArray(n)) {
    throw new ValidationError('body must be an Aodh notification object', [
      { path: '', message: 'must be an object' },
    ]);
  }
  const errors: { path: string; message: string }[] = [];
  if (typeof n.alarm_id !== 'string' || !n.alarm_id)
    errors.push({ path: 'alarm_id', message: 'is required' });
  if (typeof n.current !== 'string') errors.push({ path: 'current', message: 'is required' });
  if (errors.length > 0)
    throw new ValidationError(
      `not an Aodh notification: ${errors[0].path} ${errors[0].message}`,
      errors,
    );
  if (n.current !== 'alarm' && n.current !== 'ok') return null;
  const type = hints.type ?? n.alarm_name;
  const resource = resourceOf(n as AodhNotification, hints);
  const occurredAt = n.reason_data?.event?.generated
    ? toIso(n.reason_data.event.generated, now)
    : now.toISOString();
  const problems: string[] = [];
  if (typeof type !== 'string' || !type) problems.push('alarm_name is required (or ?type=)');
  if (!resource)
    problems.push(
      'reason_data.event.traits has no instance_id or host trait; add ?kind=&id= to the action URL',
    );
  const state = n.current === 'alarm' ? 'firing' : 'resolved';
  const labels = { alarm_name: String(n.alarm_name ?? '') };
  const annotations: Record<string, string> =
    typeof n.reason === 'string' && n.reason ? { summary: n.reason } : {};
  if (problems.length > 0) {
    const read = { id: n.alarm_id as string, source: 'aodh', type, state, resource, occurredAt };
    const rejected = { ...read, labels, annotations, payload: body };
    return { rejected: rejectedAlert(rejected, problems.join('; '), now) };
  }
  const alarm: AlarmV1 = {
    id: n.alarm_id as string,
    source: 'aodh',
    type: type as string,
    state,
    resource: resource!,
    occurredAt,
    annotations,
    labels,
  };
  const level = typeof n.severity === 'string' ? n.severity.toLowerCase() : '';
  const severity = Object.hasOwn(SEVERITY, level) ? SEVERITY[level] : undefined;
  if (severity) alarm.severity = severity;
  return checkedItem(alarm, body as object, '', now);
}

/** Aodh/Panko timestamps often lack a zone (`2026-11-20T10:00:00.123456`); they are UTC. */
function toIso(value: string, fallback: Date): string {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const parsed = new Date(withZone);
  return Number.isNaN(parsed.getTime()) ? fallback.toISOString() : parsed.toISOString();
}
