// Property-based bad input for the webhook intakes (fast-check): Prometheus Alertmanager (webhook v4)
// and OpenStack Aodh (REST alarm notifier) bodies, valid ones and ones broken in one place each.
// What must become of each is decided from the two published payload formats and CONTRACT §3
// (which fields Reflex maps), never by asking the product's own mappers.
import fc from 'fast-check';
import type { InventoryV1 } from '@reflex/contracts';

/**
 * `refused`: answered 400 with a reason (not a notification at all). `accepted`: answered 202 with
 * one item per alert. `rejected`: the same, its first item `rejected` with a reason (that alert
 * cannot be mapped; the others are decided).
 */
export interface WebhookCase {
  n: number;
  category: string;
  /** Path and query on the engine. */
  path: string;
  body: string;
  expect: 'refused' | 'accepted' | 'rejected';
  /** Items a 202 must hold (Aodh's `insufficient data` is answered with none). */
  items?: number;
}

type Json = Record<string, unknown>;
type Mutation = [category: string, change: (body: Json) => unknown];

const ZERO_TIME = '0001-01-01T00:00:00Z';
const iso = fc
  .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString());

function resources(cloud: InventoryV1) {
  return fc.oneof(
    fc.constantFrom(...cloud.hosts.map((h) => ['host', h.id] as const)),
    fc.constantFrom(...cloud.instances.map((i) => ['instance_id', i.id] as const)),
    fc.constantFrom(...cloud.groups.map((g) => ['group', g.id] as const)),
  );
}

function alertmanagerBody(cloud: InventoryV1, n: number) {
  const alert = (i: number) =>
    fc
      .record({
        status: fc.constantFrom('firing', 'resolved'),
        resource: resources(cloud),
        severity: fc.constantFrom('critical', 'major', 'warning', 'page', undefined),
        startsAt: iso,
        ended: fc.boolean(),
      })
      .map(({ resource, severity, ended, ...a }) => ({
        status: a.status,
        labels: {
          alertname: 'fuzz.webhook',
          [resource[0]]: resource[1],
          ...(severity ? { severity } : {}),
        },
        annotations: { summary: `webhook fuzz ${n}` },
        startsAt: a.startsAt,
        endsAt: ended ? a.startsAt : ZERO_TIME,
        fingerprint: `wh-am-${n}-${i}`,
      }));
  return fc
    .integer({ min: 1, max: 3 })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => alert(i))))
    .map((alerts) => ({ version: '4', status: 'firing', receiver: 'reflex', alerts }));
}

/** Deep nesting where the format wants a string. */
const deep = (levels: number): unknown =>
  Array.from({ length: levels }).reduce<unknown>((inner) => ({ a: inner }), 'x');

const firstAlert = (body: Json) => (body.alerts as Json[])[0];
const firstLabels = (body: Json) => firstAlert(body).labels as Json;

/** Each breaks a valid Alertmanager body in one place the v4 format needs: refused. */
const ALERTMANAGER_ENVELOPE_BREAKS: Mutation[] = [
  ['version missing', (b) => ({ ...b, version: undefined })],
  ['version 3', (b) => ({ ...b, version: '3' })],
  ['version as a number', (b) => ({ ...b, version: 4 })],
  ['alerts null', (b) => ({ ...b, alerts: null })],
  ['alerts an object', (b) => ({ ...b, alerts: { 0: firstAlert(b) } })],
  ['alerts a string', (b) => ({ ...b, alerts: 'firing' })],
];

/** Each breaks the first alert of a valid body in one place the mapping needs: that one rejected. */
const ALERTMANAGER_BREAKS: Mutation[] = [
  ['an alert null', (b) => (((b.alerts as unknown[])[0] = null), b)],
  ['labels a string', (b) => ((firstAlert(b).labels = 'host=cmp-01'), b)],
  ['no alertname', (b) => (delete firstLabels(b).alertname, b)],
  ['alertname a number', (b) => ((firstLabels(b).alertname = 42), b)],
  ['no fingerprint', (b) => (delete firstAlert(b).fingerprint, b)],
  ['fingerprint an object', (b) => ((firstAlert(b).fingerprint = { id: 1 }), b)],
  ['fingerprint of 1,000 characters', (b) => ((firstAlert(b).fingerprint = 'f'.repeat(1000)), b)],
  [
    'no resource label',
    (b) => {
      for (const k of ['host', 'instance', 'instance_id', 'group']) delete firstLabels(b)[k];
      return b;
    },
  ],
  ['status pending', (b) => ((firstAlert(b).status = 'pending'), b)],
  // A firing alert: a resolved one with an end time is dated by its endsAt.
  [
    'startsAt not a time',
    (b) => (Object.assign(firstAlert(b), { status: 'firing', startsAt: 'yesterday' }), b),
  ],
  [
    'startsAt missing',
    (b) => (Object.assign(firstAlert(b), { status: 'firing', startsAt: undefined }), b),
  ],
  ['annotation nested 200 deep', (b) => ((firstAlert(b).annotations = { summary: deep(200) }), b)],
  ['a label of 100 kB', (b) => ((firstLabels(b).note = 'x'.repeat(100_000)), b)],
];

function aodhBody(cloud: InventoryV1, n: number) {
  return fc
    .record({
      current: fc.constantFrom('alarm', 'ok', 'insufficient data'),
      severity: fc.constantFrom('critical', 'moderate', 'low'),
      generated: iso.map((t) => t.replace('Z', '')),
      trait: fc.oneof(
        fc.constantFrom(...cloud.hosts.map((h) => ['host', 1, h.id])),
        fc.constantFrom(...cloud.instances.map((i) => ['instance_id', 1, i.id])),
      ),
    })
    .map((a) => ({
      alarm_id: `wh-aodh-${n}`,
      alarm_name: 'fuzz.webhook',
      severity: a.severity,
      previous: 'ok',
      current: a.current,
      reason: `webhook fuzz ${n}`,
      reason_data: {
        type: 'event',
        event: { event_type: 'fuzz', generated: a.generated, traits: [a.trait] },
      },
    }));
}

const event = (body: Json) => (body.reason_data as Json).event as Json;

/** Each breaks a valid Aodh body in one place the notifier format needs: refused. */
const AODH_ENVELOPE_BREAKS: Mutation[] = [
  ['no alarm_id', (b) => ({ ...b, alarm_id: undefined })],
  ['alarm_id a number', (b) => ({ ...b, alarm_id: 42 })],
  ['no current', (b) => ({ ...b, current: undefined })],
  ['current a number', (b) => ({ ...b, current: 1 })],
];

/** Each breaks a valid Aodh body in one place the mapping needs: rejected. */
const AODH_BREAKS: Mutation[] = [
  ['no alarm_name and no ?type', (b) => ({ ...b, alarm_name: undefined })],
  ['traits an object', (b) => ((event(b).traits = { host: 'cmp-01' }), b)],
  ['traits holding null', (b) => ((event(b).traits = [null]), b)],
  ['traits holding strings', (b) => ((event(b).traits = ['host', 'cmp-01']), b)],
  ['trait names not strings', (b) => ((event(b).traits = [[1, 1, 'cmp-01']]), b)],
  ['reason_data a string', (b) => ({ ...b, reason_data: 'event' })],
  ['alarm_id of 1,000 characters', (b) => ({ ...b, alarm_id: 'a'.repeat(1000) })],
];

/** Bodies that are not the object either format is. */
const NOT_OBJECTS = ['[]', 'null', '"alarm"', '42', '{"version":"4","alerts":['];

/** `__proto__` as a label key, written as text: JSON.stringify would not emit it. */
function withProtoLabel(body: Json): string {
  const text = JSON.stringify(body);
  return text.replace('"labels":{', '"labels":{"__proto__":{"polluted":"yes"},');
}

/**
 * `count` webhook cases from `seed`, half Alertmanager and half Aodh; about a third valid, the
 * rest each broken in one place.
 */
export function webhookCases(cloud: InventoryV1, count: number, seed: number): WebhookCase[] {
  const cases: WebhookCase[] = [];
  const one = <T>(arb: fc.Arbitrary<T>, n: number) =>
    fc.sample(arb, { seed: seed + n, numRuns: 1 })[0];
  for (let n = 0; n < count; n++) {
    const pick = one(fc.nat({ max: 2 }), n);
    const breakIndex = one(fc.nat(), n + count);
    if (n % 2 === 0) {
      const body = one(alertmanagerBody(cloud, n), n) as unknown as Json;
      const path = '/v1/alarms/alertmanager';
      const alerts = (body.alerts as Json[]).length;
      if (pick === 0) {
        cases.push({
          n,
          category: 'alertmanager valid',
          path,
          body: JSON.stringify(body),
          expect: 'accepted',
          items: alerts,
        });
      } else if (breakIndex % 10 === 0) {
        cases.push({
          n,
          category: 'alertmanager __proto__ label',
          path,
          body: withProtoLabel(body),
          expect: 'rejected',
          items: alerts,
        });
      } else if (breakIndex % 10 === 1) {
        const text = NOT_OBJECTS[breakIndex % NOT_OBJECTS.length];
        cases.push({
          n,
          category: 'alertmanager not an object',
          path,
          body: text,
          expect: 'refused',
        });
      } else if (breakIndex % 10 === 2) {
        const breaks = ALERTMANAGER_ENVELOPE_BREAKS;
        const [category, change] = breaks[breakIndex % breaks.length];
        const broken = change(structuredClone(body));
        cases.push({
          n,
          category: `alertmanager ${category}`,
          path,
          body: JSON.stringify(broken),
          expect: 'refused',
        });
      } else {
        const [category, change] = ALERTMANAGER_BREAKS[breakIndex % ALERTMANAGER_BREAKS.length];
        const broken = change(structuredClone(body));
        cases.push({
          n,
          category: `alertmanager ${category}`,
          path,
          body: JSON.stringify(broken),
          expect: 'rejected',
          items: alerts,
        });
      }
    } else {
      const body = one(aodhBody(cloud, n), n) as unknown as Json;
      const path = '/v1/alarms/aodh';
      if (pick === 0) {
        const items = body.current === 'insufficient data' ? 0 : 1;
        cases.push({
          n,
          category: 'aodh valid',
          path,
          body: JSON.stringify(body),
          expect: 'accepted',
          items,
        });
      } else if (breakIndex % 10 === 1) {
        const text = NOT_OBJECTS[breakIndex % NOT_OBJECTS.length];
        cases.push({ n, category: 'aodh not an object', path, body: text, expect: 'refused' });
      } else if (breakIndex % 10 === 2) {
        // Hints on the action URL naming a kind of resource that does not exist.
        const hinted = `${path}?kind=datacenter&id=dc-1`;
        cases.push({
          n,
          category: 'aodh ?kind= unknown',
          path: hinted,
          body: JSON.stringify({ ...body, current: 'alarm' }),
          expect: 'rejected',
          items: 1,
        });
      } else if (breakIndex % 10 === 3) {
        const [category, change] = AODH_ENVELOPE_BREAKS[breakIndex % AODH_ENVELOPE_BREAKS.length];
        const broken = change({ ...structuredClone(body), current: 'alarm' });
        cases.push({
          n,
          category: `aodh ${category}`,
          path,
          body: JSON.stringify(broken),
          expect: 'refused',
        });
      } else {
        const [category, change] = AODH_BREAKS[breakIndex % AODH_BREAKS.length];
        // An `alarm` transition: an `insufficient data` one is ignored before it is mapped.
        const broken = change({ ...structuredClone(body), current: 'alarm' });
        cases.push({
          n,
          category: `aodh ${category}`,
          path,
          body: JSON.stringify(broken),
          expect: 'rejected',
          items: 1,
        });
      }
    }
  }
  return cases;
}
