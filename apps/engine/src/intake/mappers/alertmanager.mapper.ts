import { ValidationError } from '@reflex/common';
import type { AlarmSeverity, AlarmV1, ResourceRefV1 } from '@reflex/contracts';

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

const SEVERITIES: readonly string[] = ['critical', 'major', 'minor', 'warning', 'info'];
/** Alertmanager's zero time: an alert that has not ended. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function resourceOf(labels: Record<string, string>): ResourceRefV1 | null {
  if (labels.host) return { kind: 'host', id: labels.host };
  if (labels.instance) return { kind: 'instance', id: labels.instance };
  if (labels.group) return { kind: 'group', id: labels.group };
  return null;
}

/**
 * Alertmanager webhook v4 → Alarm v1 (CONTRACT §3): `alertname` → type, `severity` label, `status`,
 * `fingerprint` → id, the `host` (else `instance`, else `group`) label → resource. Each alert that
 * cannot be mapped is an error naming its index and field, so the caller can answer 400.
 */
export function alarmsFromAlertmanager(body: unknown): AlarmV1[] {
  const payload = body as Partial<AlertmanagerWebhookV4> | null;
  if (!payload || typeof payload !== 'object') {
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
  const errors: { path: string; message: string }[] = [];
  const alarms: AlarmV1[] = [];
  payload.alerts.forEach((alert, i) => {
    const at = `alerts[${i}]`;
    const labels = alert && typeof alert.labels === 'object' && alert.labels ? alert.labels : null;
    if (!labels) return errors.push({ path: `${at}.labels`, message: 'must be an object' });
    const resource = resourceOf(labels);
    if (!labels.alertname) errors.push({ path: `${at}.labels.alertname`, message: 'is required' });
    if (!alert.fingerprint) errors.push({ path: `${at}.fingerprint`, message: 'is required' });
    if (!resource)
      errors.push({ path: `${at}.labels`, message: 'needs a host, instance or group label' });
    if (alert.status !== 'firing' && alert.status !== 'resolved') {
      errors.push({ path: `${at}.status`, message: 'must be firing or resolved' });
    }
    if (!labels.alertname || !alert.fingerprint || !resource) return;
    const resolved = alert.status === 'resolved';
    const occurredAt =
      resolved && alert.endsAt && alert.endsAt !== ZERO_TIME ? alert.endsAt : alert.startsAt;
    const severity = SEVERITIES.includes(labels.severity)
      ? (labels.severity as AlarmSeverity)
      : undefined;
    const alarm: AlarmV1 = {
      id: alert.fingerprint,
      source: 'alertmanager',
      type: labels.alertname,
      state: resolved ? 'resolved' : 'firing',
      resource,
      occurredAt,
      labels,
      annotations: alert.annotations ?? {},
    };
    if (severity) alarm.severity = severity;
    alarms.push(alarm);
  });
  if (errors.length > 0)
    throw new ValidationError(
      `invalid Alertmanager payload: ${errors[0].path} ${errors[0].message}`,
      errors,
    );
  return alarms;
}
