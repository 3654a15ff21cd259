import { ValidationError } from '@reflex/common';
import alertmanager from './fixtures/alertmanager-webhook-v4.json';
import aodhEvent from './fixtures/aodh-event-alarm.json';
import aodhThreshold from './fixtures/aodh-threshold-alarm.json';
import { alarmsFromAlertmanager } from './alertmanager.mapper';
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

describe('Alertmanager webhook v4 → Alarm v1', () => {
  it('maps fingerprint, alertname, severity, status and the host/instance label', () => {
    const [hostDown, vmResolved] = alarmsFromAlertmanager(alertmanager);
    expect(hostDown).toMatchObject({
      id: '5c1f2a9d3e4b6a70',
      source: 'alertmanager',
      type: 'host.down',
      severity: 'critical',
      state: 'firing',
      resource: { kind: 'host', id: 'cmp-03' },
      occurredAt: '2026-11-20T10:00:00.000Z',
      annotations: { summary: 'no heartbeat for 30s' },
    });
    expect(vmResolved).toMatchObject({
      id: 'a0b1c2d3e4f50617',
      type: 'instance.down',
      state: 'resolved',
      resource: { kind: 'instance', id: 'vm-07' },
      occurredAt: '2026-11-20T09:05:00.000Z',
    });
  });

  it('names the field of every alert it cannot map', () => {
    const bad = {
      version: '4',
      alerts: [
        { status: 'firing', labels: { severity: 'critical' }, startsAt: '2026-11-20T10:00:00Z' },
      ],
    };
    expect(fieldErrors(() => alarmsFromAlertmanager(bad))).toEqual([
      'alerts[0].labels.alertname',
      'alerts[0].fingerprint',
      'alerts[0].labels',
    ]);
    expect(fieldErrors(() => alarmsFromAlertmanager({ ...alertmanager, version: '3' }))).toEqual([
      'version',
    ]);
    expect(fieldErrors(() => alarmsFromAlertmanager({ version: '4' }))).toEqual(['alerts']);
  });
});

describe('Aodh notification → Alarm v1', () => {
  it('takes the resource from an event alarm trait and the type from the alarm name', () => {
    expect(alarmFromAodh(aodhEvent, {}, now)).toEqual({
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
    );
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
      )?.state,
    ).toBe('resolved');
  });

  it('ignores insufficient data and refuses a notification with no resource', () => {
    expect(alarmFromAodh({ ...aodhEvent, current: 'insufficient data' }, {}, now)).toBeNull();
    expect(fieldErrors(() => alarmFromAodh(aodhThreshold, {}, now))).toEqual([
      'reason_data.event.traits',
    ]);
    expect(
      fieldErrors(() => alarmFromAodh({ current: 'alarm' }, { kind: 'host', id: 'h' }, now)),
    ).toEqual(['alarm_id', 'alarm_name']);
  });

  // Found by the chaos suite's webhook fuzzer: traits that were not a list of lists made the
  // mapper throw a TypeError, answered 500.
  it.each([
    ['an object', { host: 'cmp-01' }],
    ['a list holding null', [null]],
    ['a list of strings', ['host', 'cmp-01']],
    ['a string', 'host=cmp-01'],
  ])('refuses traits that are %s, naming the field', (_why, traits) => {
    const body = { ...aodhEvent, reason_data: { type: 'event', event: { traits } } };
    expect(fieldErrors(() => alarmFromAodh(body, {}, now))).toEqual(['reason_data.event.traits']);
  });
});
