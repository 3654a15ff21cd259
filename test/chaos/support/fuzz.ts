// Property-based bad input for alarm intake (fast-check): broken JSON, wrong types, huge strings,
// deep nesting, unknown resources, odd timestamps, __proto__ and constructor keys, interleaved with
// valid alarms. Each case says what must become of it, decided from the contract alone (CONTRACT §3),
// never by asking the product's own validator.
import fc from 'fast-check';
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import type { Channel } from './storm';

/**
 * `refused`: dead-lettered (Kafka) or answered 400/413 (HTTP) with a reason. `rejected`: a valid
 * alarm about a resource the inventory does not hold, stored with disposition `rejected` and the
 * reason. `stored`: a valid alarm, stored once and decided.
 */
export type FuzzExpectation = 'refused' | 'rejected' | 'stored';

export interface FuzzCase {
  n: number;
  category: string;
  channel: Channel;
  /** The exact text sent. */
  body: string;
  expect: FuzzExpectation;
  /** For the valid ones: the alarm as sent. */
  alarm?: AlarmV1;
}

const KAFKA_MAX_BYTES = 900_000;
const hasControl = (s: string) =>
  [...s].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
const RESERVED = ['__proto__', 'constructor', 'prototype'];

const text = (min: number, max: number) =>
  fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => !hasControl(s));
const key = text(1, 20).filter((k) => !RESERVED.includes(k));

/** A valid alarm about a known resource, of a type no shipped rule acts on (so no plans). */
function validAlarm(cloud: InventoryV1, n: number) {
  return fc
    .record({
      id: text(1, 40).map((s) => `fz-${n}-${s}`.slice(0, 256)),
      type: fc.constantFrom('fuzz.check', 'host.cpu.high', 'disk.full', 'Fuzz_Type:1.sub-2'),
      severity: fc.constantFrom('critical', 'major', 'minor', 'warning', 'info'),
      state: fc.constantFrom('firing', 'firing', 'resolved'),
      resource: fc.oneof(
        fc.constantFrom(...cloud.hosts.map((h) => ({ kind: 'host' as const, id: h.id }))),
        fc.constantFrom(...cloud.instances.map((i) => ({ kind: 'instance' as const, id: i.id }))),
        fc.constantFrom(...cloud.groups.map((g) => ({ kind: 'group' as const, id: g.id }))),
      ),
      occurredAt: fc
        .date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString()),
      labels: fc.dictionary(key, text(0, 60), { maxKeys: 5 }),
      annotations: fc.dictionary(key, text(0, 200), { maxKeys: 3 }),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    })
    .map((a): AlarmV1 => ({
      ...a,
      source: 'fuzz',
    }));
}

/** Timestamps valid per RFC 3339 but unusual: all must be accepted. */
const ODD_BUT_VALID = [
  '2024-02-29T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999Z',
  '2026-11-20t10:00:00z',
  '2026-11-20T10:00:00+14:00',
  '2026-11-20T10:00:00-12:00',
  '2026-11-20T10:00:00.123456789Z',
  '0001-01-01T00:00:00Z',
];

/** Not RFC 3339 date-times with a zone, or not real dates: all must be refused. */
const INVALID_TIMESTAMPS = [
  '2026-02-30T00:00:00Z',
  '2025-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-20T25:00:00Z',
  '2026-11-20T10:61:00Z',
  '2026-11-20T10:00:00',
  '2026-11-20',
  '20261120T100000Z',
  '0000-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '-2026-11-20T10:00:00Z',
  '+002026-11-20T10:00:00Z',
  'yesterday',
  '',
  'NaN',
  '2026-11-20T10:00:00.Z',
  `2026-11-20T10:00:00Z${'0'.repeat(100)}`,
];

const withRaw = (alarm: AlarmV1, extra: string) =>
  `${JSON.stringify(alarm).slice(0, -1)},${extra}}`;

function badCase(cloud: InventoryV1, n: number) {
  const base = validAlarm(cloud, n);
  const wrongTypes: Array<[string, unknown]> = [
    ['id', 42],
    ['id', ''],
    ['id', null],
    ['id', ['a']],
    ['id', { x: 1 }],
    ['source', true],
    ['type', 'has space'],
    ['type', '.leading'],
    ['severity', 'fatal'],
    ['state', 'open'],
    ['resource', 'h-az1-01'],
    ['resource', { kind: 'vm', id: 'x' }],
    ['resource', { kind: 'host' }],
    ['resource', { kind: 'host', id: 5 }],
    ['resource', { kind: 'host', id: 'h', extra: 1 }],
    ['occurredAt', 1_732_096_800_000],
    ['labels', ['a']],
    ['labels', { a: 1 }],
    ['labels', { a: { b: 'c' } }],
    ['annotations', 'text'],
    ['value', 'high'],
    ['value', [1]],
    ['occured_at', '2026-11-20T10:00:00Z'],
  ];
  const missing = ['id', 'source', 'type', 'resource', 'occurredAt'];
  return fc.oneof(
    // Broken JSON: cut short, a stray character, or no JSON at all.
    fc
      .tuple(base, fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\'))
      .map(([a, at, ch]) => {
        const json = JSON.stringify(a);
        const i = 1 + (at % (json.length - 1));
        return {
          category: 'broken-json',
          body: at % 2 ? json.slice(0, i) : json.slice(0, i) + ch + json.slice(i),
        };
      }),
    fc
      .constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '42',
        '"alarm"',
        'true',
        '{',
        '{}',
        '\uFEFF',
        'undefined',
        "{'id':'x'}",
      )
      .map((body) => ({
        category: 'broken-json',
        body,
      })),
    // Any JSON at all: fast-check's own generator of values, keys and text.
    fc
      .jsonValue({ maxDepth: 6 })
      .map((v) => ({ category: 'random-json', body: JSON.stringify(v) })),
    // Wrong types, unknown or missing fields.
    fc.tuple(base, fc.constantFrom(...wrongTypes)).map(([a, [field, value]]) => ({
      category: 'wrong-type',
      body: JSON.stringify({ ...a, [field]: value }),
    })),
    fc.tuple(base, fc.constantFrom(...missing)).map(([a, field]) => {
      const copy: Record<string, unknown> = { ...a };
      delete copy[field];
      return { category: 'wrong-type', body: JSON.stringify(copy) };
    }),
    // Huge strings and maps, over the contract's limits (some of them near the Kafka message size).
    fc
      .tuple(
        base,
        fc.constantFrom('id', 'source', 'type', 'label', 'annotation', 'labels', 'annotations'),
        fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 20, max: 400 })),
      )
      .map(([a, where, kb]) => {
        const big = 'x'.repeat(Math.max(where === 'annotation' ? 8193 : 1025, kb * 1024));
        const patch =
          where === 'label'
            ? { labels: { big } }
            : where === 'annotation'
              ? { annotations: { big } }
              : where === 'labels'
                ? {
                    labels: Object.fromEntries(
                      Array.from({ length: 65 + kb }, (_, i) => [`k${i}`, 'v']),
                    ),
                  }
                : where === 'annotations'
                  ? {
                      annotations: Object.fromEntries(
                        Array.from({ length: 33 + kb }, (_, i) => [`k${i}`, 'v']),
                      ),
                    }
                  : { [where]: big.slice(0, 257 + kb * 10) };
        return { category: 'huge', body: JSON.stringify({ ...a, ...patch }) };
      }),
    // Deep nesting, in a label and as the whole message.
    fc.tuple(base, fc.integer({ min: 33, max: 3000 }), fc.boolean()).map(([a, depth, inLabel]) => {
      const nested = '{"a":'.repeat(depth) + '"x"' + '}'.repeat(depth);
      return {
        category: 'deep',
        body: inLabel
          ? withRaw(a, `"labels":{"deep":${nested}}`)
          : '['.repeat(depth) + ']'.repeat(depth),
      };
    }),
    // Timestamps that are not RFC 3339 date-times, or not real dates.
    fc.tuple(base, fc.constantFrom(...INVALID_TIMESTAMPS)).map(([a, occurredAt]) => ({
      category: 'timestamp',
      body: JSON.stringify({ ...a, occurredAt }),
    })),
    // Keys that pollute prototypes, at the top and inside maps; and text no database stores.
    fc
      .tuple(
        base,
        fc.constantFrom(
          '"__proto__":{"polluted":true}',
          '"constructor":{"prototype":{"polluted":true}}',
          '"labels":{"__proto__":"x"}',
          '"labels":{"constructor":"x"}',
          '"annotations":{"prototype":"x"}',
          '"resource":{"kind":"host","id":"h-az1-01","__proto__":{"id":"x"}}',
          '"labels":{"a":"nul\\u0000byte"}',
          '"annotations":{"a":"half \\ud800 pair"}',
        ),
      )
      .map(([a, extra]) => {
        const { labels: _l, annotations: _an, resource: _r, ...rest } = a;
        const keep = extra.startsWith('"labels"')
          ? { ...rest, annotations: a.annotations, resource: a.resource }
          : extra.startsWith('"annotations"')
            ? { ...rest, labels: a.labels, resource: a.resource }
            : extra.startsWith('"resource"')
              ? { ...rest, labels: a.labels, annotations: a.annotations }
              : a;
        return { category: 'proto-or-unstorable', body: withRaw(keep as AlarmV1, extra) };
      }),
  );
}

/**
 * `count` cases from `seed`: about 40% valid (some with odd but valid timestamps), 5% valid but
 * about resources that do not exist, the rest bad; about 70% over Kafka, 30% over HTTP.
 */
export function fuzzCases(cloud: InventoryV1, count: number, seed: number): FuzzCase[] {
  const kinds = fc.sample(
    fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })),
    { seed, numRuns: count },
  );
  return kinds.map(([roll, ch], n) => {
    const channel: Channel = ch < 70 ? 'kafka' : 'http';
    const one = <T>(arb: fc.Arbitrary<T>) => fc.sample(arb, { seed: seed + n, numRuns: 1 })[0];
    const sent = (alarm: AlarmV1, category: string, expect: FuzzExpectation): FuzzCase => ({
      n,
      category,
      channel,
      body: JSON.stringify(alarm),
      expect,
      alarm,
    });
    if (roll < 40) {
      const alarm = one(validAlarm(cloud, n));
      if (roll < 4) alarm.occurredAt = ODD_BUT_VALID[n % ODD_BUT_VALID.length];
      return sent(alarm, 'valid', 'stored');
    }
    if (roll < 45) {
      const alarm = one(validAlarm(cloud, n));
      const kind = (['host', 'instance', 'group'] as const)[n % 3];
      alarm.resource = { kind, id: `ghost-${kind}-${n}` };
      alarm.state = 'firing';
      return sent(alarm, 'unknown-resource', 'rejected');
    }
    let bad = one(badCase(cloud, n));
    // Over HTTP an empty array is an empty batch (CONTRACT §3: one alarm or an array of them).
    if (channel === 'http' && bad.body === '[]') bad = { ...bad, body: '[{}]' };
    // A stray character inside a string value can leave valid JSON: cut it instead.
    if (bad.category === 'broken-json' && parses(bad.body) && bad.body.length > 2) {
      bad = { ...bad, body: bad.body.slice(0, -1) };
    }
    if (channel === 'kafka' && Buffer.byteLength(bad.body) > KAFKA_MAX_BYTES) {
      bad = { ...bad, body: bad.body.slice(0, KAFKA_MAX_BYTES) };
    }
    return { n, category: bad.category, channel, body: bad.body, expect: 'refused' };
  });
}

function parses(body: string): boolean {
  try {
    const value: unknown = JSON.parse(body);
    // Still an object with every required field: could be a valid alarm.
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}
