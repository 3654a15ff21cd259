import { createHash } from 'node:crypto';
import { ValidationError } from '@reflex/common';
import type { ResourceLabel } from '@reflex/config';
import type { AlarmSeverity, AlarmV1, ResourceRefV1 } from '@reflex/contracts';
import { checkedItem, rejectedAlert, type WebhookItem } from './webhook-item';

/** The Prometheus Alertmanager webhook payload, version 4 (only the fields Reflex reads). */
export interface AlertmanagerWebhookV4 {
  version: string;
  status?: string;
  alerts: Array<{
    status: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt: string;
    endsAt?: string;
    fingerprint?: string;
    generatorURL?: string;
  }>;
}

/** Which labels name the alarm's resource, and how a host is read from a scrape target. */
export interface AlertmanagerMapping {
  resourceLabels: readonly ResourceLabel[];
  hostPattern: RegExp;
}

const SEVERITIES: readonly string[] = ['critical', 'major', 'minor', 'warning', 'info'];
/** Alertmanager's zero time: an alert that has not ended. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

type Alert = Partial<AlertmanagerWebhookV4['alerts'][number]>;

function resourceOf(
  labels: Record<string, unknown>,
  mapping: AlertmanagerMapping,
): ResourceRefV1 | null {
  for (const { label, kind } of mapping.resourceLabels) {
    const value = labels[label];
    if (typeof value !== 'string' || !value) continue;
    const id = kind === 'host' ? (mapping.hostPattern.exec(value)?.[1] ?? value) : value;
    return { kind, id };
  }
  return null;
}

/**
 * Is this body an Alertmanager webhook v4 notification at all? Only a body that is not one is
 * refused (400); problems of single alerts are answered per alert.
 */
function envelopeOf(body: unknown): AlertmanagerWebhookV4 {
  const payload = body as Partial<AlertmanagerWebhookV4> | null;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ValidationError('body must be an Alertmanager webhook object', [
      { path: '', message: 'must be an object' },
    ]);
  }
  if (payload.version !== '4') {
    throw new ValidationError('only Alertmanager webhook version 4 is supported', [
      { path: 'version', message: `must be "4", got ${JSON.stringify(payload.version)}` },
    ]);
  }
  if (!Array.isArray(payload.alerts)) {
    throw new ValidationError('alerts must be an array', [
      { path: 'alerts', message: 'must be an array' },
    ]);
  }
  return payload as AlertmanagerWebhookV4;
}

/**
 * Alertmanager webhook v4 → one item per alert, in order (CONTRACT §3): `alertname` → type,
 * `severity` label (any case), `status`, the first configured resource label → resource, and
 * fingerprint with `startsAt` → id. `startsAt` is part of the id because Alertmanager keeps it for
 * the whole life of an alert, resolve included, and a new one starts with a new one: an alert that
 * fires again after a resolve Reflex never saw (Alertmanager down or restarted) is a new alarm.
 */
export function alertsFromAlertmanager(
  body: unknown,
  mapping: AlertmanagerMapping,
  receivedAt: Date,
): WebhookItem[] {
  const envelope = envelopeOf(body);
  return envelope.alerts.map((raw, i) => {
    // Each alarm row keeps the notification with its own alert only: a group of 2,000 alerts
    // would otherwise be stored 2,000 times over.
    const payload = { ...envelope, alerts: [raw] };
    return mapAlert(raw, i, payload, mapping, receivedAt);
  });
}

function mapAlert(
  alert: Alert | null,
  i: number,
  payload: object,
  mapping: AlertmanagerMapping,
  receivedAt: Date,
): WebhookItem {
  const at = `alerts[${i}]`;
  const object = alert && typeof alert === 'object' && !Array.isArray(alert) ? alert : {};
  const labels: Record<string, unknown> =
    object.labels && typeof object.labels === 'object' && !Array.isArray(object.labels)
      ? object.labels
      : {};
  const resource = resourceOf(labels, mapping);
  const startsAt = typeof object.startsAt === 'string' ? object.startsAt : '';
  const fingerprint = typeof object.fingerprint === 'string' ? object.fingerprint : '';
  const id = `${fingerprint}@${startsAt}`;
  const resolved = object.status === 'resolved';
  const occurredAt =
    resolved && typeof object.endsAt === 'string' && object.endsAt !== ZERO_TIME
      ? object.endsAt
      : startsAt;
  const problems: string[] = [];
  if (object !== alert) problems.push(`${at} must be an object`);
  else if (labels !== object.labels) problems.push(`${at}.labels must be an object`);
  if (typeof labels.alertname !== 'string' || !labels.alertname)
    problems.push(`${at}.labels.alertname is required`);
  if (!fingerprint) problems.push(`${at}.fingerprint is required`);
  if (!startsAt) problems.push(`${at}.startsAt is required`);
  if (!resource) problems.push(`${at}.labels needs one of the labels ${labelNames(mapping)}`);
  if (object.status !== 'firing' && !resolved)
    problems.push(`${at}.status must be firing or resolved`);
  if (problems.length > 0) {
    return {
      rejected: rejectedAlert(
        {
          id: fingerprint ? id : `unmapped:${digest(object)}`,
          source: 'alertmanager',
          type: labels.alertname,
          state: object.status,
          resource,
          occurredAt,
          labels,
          annotations: object.annotations,
          payload,
        },
        problems.join('; '),
        receivedAt,
      ),
    };
  }
  const severity = typeof labels.severity === 'string' ? labels.severity.toLowerCase() : '';
  const alarm: AlarmV1 = {
    id,
    source: 'alertmanager',
    type: labels.alertname as string,
    state: resolved ? 'resolved' : 'firing',
    resource: resource!,
    occurredAt,
    labels: labels as Record<string, string>,
    annotations: object.annotations ?? {},
  };
  if (SEVERITIES.includes(severity)) alarm.severity = severity as AlarmSeverity;
  return checkedItem(alarm, payload, at, receivedAt);
}

function labelNames(mapping: AlertmanagerMapping): string {
  return mapping.resourceLabels.map((l) => `${l.label} (${l.kind})`).join(', ');
}

/** A stable id for an alert without a fingerprint, so its repeats collapse into one row. */
function digest(alert: object): string {
  const { labels, startsAt } = alert as Alert;
  return createHash('sha256')
    .update(JSON.stringify([labels ?? null, startsAt ?? null]))
    .digest('hex')
    .slice(0, 32);
}
