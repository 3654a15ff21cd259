import { createHash } from 'node:crypto';
import { ValidationError } from '@reflex/common';
import { type AlarmV1, RESOURCE_KINDS, type ResourceRefV1, validate } from '@reflex/contracts';
import type { RejectedAlert } from '../../decisions/rejected-alert';

export type { RejectedAlert };

/** One alert of a notification: the alarm it maps to, or why it maps to none. */
export type WebhookItem =
  | { alarm: AlarmV1; payload: object; rejected?: undefined }
  | { rejected: RejectedAlert; alarm?: undefined };

const MAX_ID = 256;
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** What PostgreSQL refuses in text and jsonb: NUL, and UTF-16 surrogates without their pair. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** An id short enough for the alarms table's indexes: long ones keep a prefix and a digest. */
export function clipId(value: string): string {
  if (value.length <= MAX_ID) return value;
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 32);
  return `${value.slice(0, MAX_ID - 40)}…sha256:${digest}`;
}

/** A string map of the entries that are strings under safe keys (what an audit row can show). */
export function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return map;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string' && !UNSAFE_KEYS.has(key)) map[clean(key)] = clean(entry);
  }
  return map;
}

/**
 * A copy PostgreSQL can store as jsonb: NUL and lone surrogates replaced, nesting cut at 32 levels.
 * A rejected alert is kept for the audit; it must not be refused a second time by the database.
 */
export function storableCopy(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clean(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 32) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((v) => storableCopy(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    Object.defineProperty(copy, clean(key), {
      value: storableCopy(entry, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

function clean(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}

/** The mapped alarm if it is a valid Alarm v1, else a rejected alert with the schema's reason. */
export function checkedItem(
  alarm: AlarmV1,
  payload: object,
  at: string,
  receivedAt: Date,
): WebhookItem {
  const result = validate('alarm.v1', alarm);
  if (!(result instanceof ValidationError)) return { alarm: result, payload };
  const why = result.errors.map((e) => `${at}${e.path} ${e.message}`).join('; ');
  return {
    rejected: rejectedAlert(
      {
        id: alarm.id,
        source: alarm.source,
        type: alarm.type,
        state: alarm.state ?? 'firing',
        resource: alarm.resource,
        occurredAt: alarm.occurredAt,
        labels: alarm.labels,
        annotations: alarm.annotations,
        payload,
      },
      `mapped alarm is not a valid Alarm v1: ${why}`,
      receivedAt,
    ),
  };
}

/** A rejected alert from whatever could be read of it, every field made storable. */
export function rejectedAlert(
  read: {
    id: string;
    source: string;
    type?: unknown;
    state?: unknown;
    resource: ResourceRefV1 | null;
    occurredAt?: unknown;
    labels?: unknown;
    annotations?: unknown;
    payload: unknown;
  },
  reason: string,
  receivedAt: Date,
): RejectedAlert {
  const at = typeof read.occurredAt === 'string' ? new Date(read.occurredAt) : null;
  const year = at?.getUTCFullYear() ?? NaN;
  return {
    id: clipId(clean(read.id)),
    source: read.source,
    type: typeof read.type === 'string' && read.type ? clipId(clean(read.type)) : 'unknown',
    state: read.state === 'resolved' ? 'resolved' : 'firing',
    resource:
      read.resource && RESOURCE_KINDS.includes(read.resource.kind)
        ? { kind: read.resource.kind, id: clipId(clean(String(read.resource.id))) }
        : null,
    // A time PostgreSQL cannot hold (or none) is replaced by when it was received.
    occurredAt: year >= 1 && year <= 9999 ? at!.toISOString() : receivedAt.toISOString(),
    labels: stringMap(read.labels),
    annotations: stringMap(read.annotations),
    payload: storableCopy(read.payload) as object,
    reason: clean(reason).slice(0, 4096),
  };
}
