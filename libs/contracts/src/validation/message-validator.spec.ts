import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@reflex/common';
import { Topic } from '../topics';
import { MESSAGE_KINDS, type MessageKind, TOPIC_MESSAGE_KINDS } from './message-kinds';
import {
  MESSAGE_VALIDATORS,
  assertValid,
  decoderFor,
  parseAndValidate,
  validate,
  validateAlarmV1,
  validateOneOrMany,
} from './message-validator';

interface BadCase {
  why: string;
  field: string;
  value: unknown;
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

// Read with JSON.parse, as a consumer would: it keeps `__proto__` as an own key, which is the point.
function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

function goodCases(kind: MessageKind): unknown[] {
  const good = fixture(`${kind}.json`);
  return Array.isArray(good) ? good : [good];
}

function errorsOf(result: unknown): ValidationError {
  if (!(result instanceof ValidationError)) throw new Error('expected a ValidationError');
  return result;
}

const alarm = (goodCases('alarm.v1') as Record<string, unknown>[])[0];

describe.each(MESSAGE_KINDS)('%s fixtures', (kind) => {
  const good = goodCases(kind);
  const bad = fixture(`${kind}.bad.json`) as BadCase[];

  it('has good examples and at least four bad ones', () => {
    expect(good.length).toBeGreaterThan(0);
    expect(bad.length).toBeGreaterThanOrEqual(4);
  });

  it.each(good.map((value, index) => [index, value] as const))(
    'accepts good example %i unchanged',
    (_index, value) => {
      const result = validate(kind, value);
      expect(result).not.toBeInstanceOf(ValidationError);
      expect(JSON.parse(JSON.stringify(result))).toEqual(value);
      expect(parseAndValidate(kind, Buffer.from(JSON.stringify(value)))).toEqual(value);
    },
  );

  it.each(bad.map((c) => [c.why, c] as const))('rejects: %s', (_why, badCase) => {
    const error = errorsOf(validate(kind, badCase.value));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.retriable).toBe(false);
    expect(error.errors.map((e) => e.path)).toContain(badCase.field);
    for (const fieldError of error.errors) expect(fieldError.message.length).toBeGreaterThan(0);
  });
});

describe('error messages', () => {
  it('names the field and the allowed values', () => {
    const error = errorsOf(validateAlarmV1({ ...alarm, resource: { kind: 'vm', id: 'x' } }));
    expect(error.errors).toEqual([
      { path: '/resource/kind', message: 'must be one of host, instance, group (got "vm")' },
    ]);
    expect(error.message).toBe(
      'invalid alarm.v1: /resource/kind must be one of host, instance, group (got "vm")',
    );
  });

  it('reports every problem at once', () => {
    const { id: _id, occurredAt: _at, ...rest } = alarm;
    const error = errorsOf(validateAlarmV1({ ...rest, severity: 'loud' }));
    expect(error.errors.map((e) => e.path).sort()).toEqual(['/id', '/occurredAt', '/severity']);
    expect(error.errors.find((e) => e.path === '/id')?.message).toBe('is required');
  });

  it('explains timestamps, types and patterns in words', () => {
    const error = errorsOf(
      validateAlarmV1({ ...alarm, occurredAt: '2026-11-20', value: '1', type: 'a b' }),
    );
    const byPath = Object.fromEntries(error.errors.map((e) => [e.path, e.message]));
    expect(byPath['/occurredAt']).toMatch(/^must be an ISO-8601 date-time with a time zone/);
    expect(byPath['/value']).toBe('must be a number (got "1")');
    expect(byPath['/type']).toMatch(/^must be a dotted type such as host.down/);
  });

  it('escapes map keys in paths as JSON Pointer does', () => {
    const error = errorsOf(
      validateAlarmV1({ ...alarm, labels: { 'team/owner': 'x'.repeat(1025) } }),
    );
    expect(error.errors).toEqual([
      { path: '/labels/team~1owner', message: 'must be at most 1024 characters' },
    ]);
  });

  it('refuses prototype-polluting keys by name', () => {
    const value = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const error = errorsOf(validateAlarmV1({ ...alarm, labels: value }));
    expect(error.errors[0]).toEqual({
      path: '/labels/__proto__',
      message: 'is a reserved key name (__proto__, constructor and prototype are refused)',
    });
  });

  it('caps the list of errors a hostile message can produce', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`k${i}`, 'x'.repeat(2000)]),
    );
    const error = errorsOf(validateAlarmV1({ ...alarm, labels }));
    expect(error.errors).toHaveLength(100);
    expect(error.message).toMatch(/\(and \d+ more\)$/);
  });

  it('refuses nesting deep enough to threaten the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const error = errorsOf(parseAndValidate('driver-event.v1', deep));
    expect(error.errors[0].message).toBe('is nested more than 32 levels deep');
  });
});

// Found by the chaos suite's fuzzer: each of these passed validation, then failed every insert
// (PostgreSQL has no year 0 and stores neither NUL nor half a surrogate pair): a 500 over HTTP and,
// on Kafka, a message retried forever that blocked its partition.
describe('text and times the database cannot store', () => {
  it.each([
    ['a NUL in a label value', '{"labels":{"zone":"a\\u0000b"}}', '/labels/zone', /NUL character/],
    ['a NUL in an annotation', '{"annotations":{"s":"\\u0000"}}', '/annotations/s', /NUL/],
    ['a lone high surrogate in the id', '{"id":"x\\ud800"}', '/id', /unpaired UTF-16 surrogate/],
    ['a lone low surrogate in a label', '{"labels":{"k":"\\udc00y"}}', '/labels/k', /surrogate/],
    ['a lone surrogate in a key', '{"labels":{"\\ud83d":"v"}}', '/labels/\ud83d', /key that/],
    ['year 0000', '{"occurredAt":"0000-01-01T00:00:00Z"}', '/occurredAt', /ISO-8601/],
  ])('refuses %s', (_why, patch, path, message) => {
    const value = { ...alarm, ...(JSON.parse(patch) as object) };
    const error = errorsOf(validateAlarmV1(value));
    expect(error.errors[0].path).toBe(path);
    expect(error.errors[0].message).toMatch(message);
  });

  it('still accepts real pairs, other control-free text and the last storable year', () => {
    const value = {
      ...alarm,
      labels: { emoji: '\ud83d\ude00', tab: 'a\tb' },
      occurredAt: '9999-12-31T23:59:59Z',
    };
    expect(validateAlarmV1(value)).not.toBeInstanceOf(ValidationError);
  });
});

describe('parseAndValidate', () => {
  it('says where invalid JSON breaks', () => {
    const error = errorsOf(parseAndValidate('alarm.v1', '{\n  "id": "a",\n}'));
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0].path).toBe('');
    expect(error.errors[0].message).toMatch(
      /^is not valid JSON at line 3, column 1 \(position 15\)/,
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses empty and oversize input before parsing', () => {
    expect(errorsOf(parseAndValidate('alarm.v1', Buffer.alloc(0))).errors[0].message).toBe(
      'is empty',
    );
    const big = errorsOf(parseAndValidate('alarm.v1', 'x'.repeat(2048), { maxBytes: 1024 }));
    expect(big.errors[0].message).toBe('is 2048 bytes; at most 1024 are accepted');
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(parseAndValidate('alarm.v1', `\uFEFF${JSON.stringify(alarm)}`)).toEqual(alarm);
  });

  it('gives the messaging layer a throwing decoder', () => {
    const decode = decoderFor('alarm.v1');
    expect(decode(Buffer.from(JSON.stringify(alarm)))).toEqual(alarm);
    expect(() => decode(Buffer.from('nope'))).toThrow(ValidationError);
  });
});

describe('registry and helpers', () => {
  it('has a validator for every kind, and a kind for every topic but the dead-letter one', () => {
    for (const kind of MESSAGE_KINDS) expect(MESSAGE_VALIDATORS[kind].kind).toBe(kind);
    expect(MESSAGE_VALIDATORS['alarm.v1'].schemaId).toMatch(/alarm\.v1\.schema\.json$/);
    expect(Object.keys(TOPIC_MESSAGE_KINDS).sort()).toEqual(Object.values(Topic).sort());
    expect(TOPIC_MESSAGE_KINDS[Topic.AlarmsDlq]).toBeNull();
  });

  it('assertValid throws the ValidationError', () => {
    expect(assertValid('alarm.v1', alarm)).toBe(alarm);
    expect(() => assertValid('alarm.v1', {})).toThrow(ValidationError);
  });

  it('validateOneOrMany prefixes paths with the index', () => {
    expect(validateOneOrMany('alarm.v1', alarm)).toEqual([alarm]);
    expect(validateOneOrMany('alarm.v1', [alarm, alarm])).toEqual([alarm, alarm]);
    const error = errorsOf(validateOneOrMany('alarm.v1', [alarm, { ...alarm, id: 7 }]));
    expect(error.errors).toEqual([{ path: '/1/id', message: 'must be a string (got 7)' }]);
    expect(errorsOf(validateOneOrMany('alarm.v1', [alarm, alarm], 1)).errors[0].path).toBe('');
  });
});
