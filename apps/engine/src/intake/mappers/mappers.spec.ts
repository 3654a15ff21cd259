import { ValidationError } from '@reflex/common';
import alertmanager from './fixtures/alertmanager-webhook-v4.json';
import aodhEvent from './fixtures/aodh-event-alarm.json';
import aodhThreshold from './fixtures/aodh-threshold-alarm.json';
import { loadEngineConfig } from '@reflex/config';
import { alertsFromAlertmanager } from './alertmanager.mapper';
import { alarmFromAodh } from './aodh.mapper';

const now = new Date('2026-11-20T12:00:00.000Z');

function fieldErrors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors.map((e) => e.path);
    throw error;
  }
  return [];
}

const mapping = {
  resourceLabels: loadEngineConfig({}).alertResourceLabels,
  hostPattern: loadEngineConfig({}).alertHostPattern,
};
const am = (body: unknown) => alertsFromAlertmanager(body, mapping, now);
const alert = (labels: Record<string, string>, extra: object = {}) => ({
  status: 'firing',
  labels: { alertname: 'host.down', ...labels },
  annotations: {},
  startsAt: '2026-11-20T10:00:00.000Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: `fp-${JSON.stringify(labels).length}`,
  ...extra,
});
const group = (...alerts: unknown[]) => ({ version: '4', status: 'firing', alerts });

describe('Alertmanager webhook v4 → Alarm v1', () => {
  it('maps fingerprint and startsAt, alertname, severity, status and the resource label', () => {
    const [hostDown, vmResolved] = am(alertmanager).map((item) => item.alarm);
    expect(hostDown).toMatchObject({
      id: '5c1f2a9d3e4b6a70@2026-11-20T10:00:00.000Z',
      source: 'alertmanager',
      type: 'host.down',
      severity: 'critical',
      state: 'firing',
      resource: { kind: 'host', id: 'cmp-03' },
      occurredAt: '2026-11-20T10:00:00.000Z',
      annotations: { summary: 'no heartbeat for 30s' },
    });
    expect(vmResolved).toMatchObject({
      id: 'a0b1c2d3e4f50617@2026-11-20T09:00:00.000Z',
      type: 'instance.down',
      state: 'resolved',
      resource: { kind: 'instance', id: 'vm-07' },
      occurredAt: '2026-11-20T09:05:00.000Z',
    });
  });

  // Found with a real Prometheus: node-exporter's alerts carry `instance="cmp-07:9100"`, the scrape
  // target, which was taken for the id of a VM; and `severity="Critical"` was dropped.
  it("reads a host from Prometheus's instance label and severity in any case", () => {
    const [item] = am(group(alert({ instance: 'cmp-07:9100', job: 'node', severity: 'Critical' })));
    expect(item.alarm).toMatchObject({
      resource: { kind: 'host', id: 'cmp-07' },
      severity: 'critical',
    });
    const [vm] = am(group(alert({ instance: 'cmp-07:9100', instance_id: 'vm-1' })));
    expect(vm.alarm?.resource).toEqual({ kind: 'instance', id: 'vm-1' });
    const custom = alertsFromAlertmanager(
      group(alert({ domain: 'vm-9', instance: 'cmp-07.dc1:9100' })),
      { resourceLabels: [{ label: 'domain', kind: 'instance' }], hostPattern: /^([^.:]+)/ },
      now,
    );
    expect(custom[0].alarm?.resource).toEqual({ kind: 'instance', id: 'vm-9' });
  });

  // Found with a real Alertmanager: one such alert made the whole group a 400, which Alertmanager
  // does not retry, so every other alert of the group (and their resolves) was lost.
  it.each([
    ['no resource label', alert({ job: 'node' }), 'alerts[1].labels needs one of the labels host'],
    ['an alertname with a space', alert({ alertname: 'Host Down', host: 'cmp-01' }), '/type'],
    [
      'a label over 1,024 characters',
      alert({ host: 'cmp-01', note: 'x'.repeat(1025) }),
      '/labels/note',
    ],
    [
      'an annotation over 8 KiB',
      alert({ host: 'cmp-01' }, { annotations: { description: 'x'.repeat(8193) } }),
      '/annotations/description',
    ],
    [
      'no fingerprint',
      alert({ host: 'cmp-01' }, { fingerprint: undefined }),
      'fingerprint is required',
    ],
    ['an alert that is not an object', 'firing', 'alerts[1] must be an object'],
  ])('rejects only the alert with %s, with the reason', (_why, bad, reason) => {
    const items = am(
      group(alert({ host: 'cmp-01' }), bad, alert({ host: 'cmp-02' }, { fingerprint: 'b' })),
    );
    expect(items.map((i) => (i.alarm ? i.alarm.resource.id : 'rejected'))).toEqual([
      'cmp-01',
      'rejected',
      'cmp-02',
    ]);
    expect(items[1].rejected?.reason).toContain(reason);
    expect(items[1].rejected?.id.length).toBeLessThanOrEqual(256);
  });

  it('keeps each alert of a group as a notification of that alert alone', () => {
    const [first] = am(alertmanager);
    expect(first.alarm && first.payload).toMatchObject({
      receiver: 'reflex',
      alerts: [alertmanager.alerts[0]],
    });
  });

  it('gives an alert that fires again after a resolve a new id; its resolve keeps the id', () => {
    const before = alert({ host: 'cmp-01' });
    const resolved = { ...before, status: 'resolved', endsAt: '2026-11-20T10:05:00.000Z' };
    const again = { ...before, startsAt: '2026-11-20T11:00:00.000Z' };
    const [a, b, c] = am(group(before, resolved, again)).map((i) => i.alarm?.id);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('refuses only a body that is not a version 4 notification', () => {
    expect(fieldErrors(() => am({ ...alertmanager, version: '3' }))).toEqual(['version']);
    expect(fieldErrors(() => am({ version: '4' }))).toEqual(['alerts']);
    expect(fieldErrors(() => am([alertmanager]))).toEqual(['']);
  });
});

describe('Aodh notification → Alarm v1', () => {
  it('takes the resource from an event alarm trait and the type from the alarm name', () => {
    expect(alarmFromAodh(aodhEvent, {}, now)?.alarm).toEqual({
      id: 'b8e17f7a-6a2b-4c5e-9a41-7b0c2f1d9e11',
      source: 'aodh',
      type: 'instance.down',
      severity: 'critical',
      state: 'firing',
      resource: { kind: 'instance', id: 'vm-01' },
      occurredAt: '2026-11-20T10:00:00.123Z',
      annotations: { summary: aodhEvent.reason },
      labels: { alarm_name: 'instance.down' },
    });
  });

  it('takes type and resource of a threshold alarm from the action URL', () => {
    const alarm = alarmFromAodh(
      aodhThreshold,
      { type: 'host.down', kind: 'host', id: 'cmp-03' },
      now,
    )?.alarm;
    expect(alarm).toMatchObject({
      type: 'host.down',
      resource: { kind: 'host', id: 'cmp-03' },
      occurredAt: now.toISOString(),
    });
    expect(
      alarmFromAodh(
        { ...aodhThreshold, current: 'ok' },
        { type: 'host.down', kind: 'host', id: 'cmp-03' },
        now,
      )?.alarm?.state,
    ).toBe('resolved');
  });

  it('ignores insufficient data, rejects a notification with no resource, refuses a non-notification', () => {
    expect(alarmFromAodh({ ...aodhEvent, current: 'insufficient data' }, {}, now)).toBeNull();
    expect(alarmFromAodh(aodhThreshold, {}, now)?.rejected?.reason).toContain(
      'reason_data.event.traits',
    );
    expect(
      alarmFromAodh({ ...aodhThreshold, alarm_name: undefined }, { kind: 'host', id: 'h' }, now)
        ?.rejected?.reason,
    ).toContain('alarm_name is required');
    expect(
      fieldErrors(() => alarmFromAodh({ current: 'alarm' }, { kind: 'host', id: 'h' }, now)),
    ).toEqual(['alarm_id']);
  });

  // Found by the chaos suite's webhook fuzzer: traits that were not a list of lists made the
  // mapper throw a TypeError, answered 500.
  it.each([
    ['an object', { host: 'cmp-01' }],
    ['a list holding null', [null]],
    ['a list of strings', ['host', 'cmp-01']],
    ['a string', 'host=cmp-01'],
  ])('rejects traits that are %s, naming the field', (_why, traits) => {
    const body = { ...aodhEvent, reason_data: { type: 'event', event: { traits } } };
    expect(alarmFromAodh(body, {}, now)?.rejected?.reason).toContain('reason_data.event.traits');
  });
});
