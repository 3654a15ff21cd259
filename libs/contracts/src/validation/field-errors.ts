import type { FieldError } from '@reflex/common';
import type { ErrorObject } from 'ajv';

/**
 * Field paths are JSON Pointers (RFC 6901): `/resource/kind`, `/hosts/3/capacity/vcpus`,
 * `/labels/team~1owner` for the key `team/owner`. The root is `""`. Unlike a dotted path a pointer
 * stays unambiguous for map keys that contain dots, which label keys often do.
 */
export function pointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** `/resource/kind must be one of host, instance, group`, or `(root) …` for the whole message. */
export function describeFieldError(error: FieldError): string {
  return `${error.path === '' ? '(root)' : error.path} ${error.message}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short rendering of the offending value; never the whole of a hostile payload. */
function shown(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return String(value);
  }
  return `an ${typeOf(value)}`;
}

function oneOf(values: readonly unknown[]): string {
  return values
    .map((value) => (typeof value === 'string' ? value : JSON.stringify(value)))
    .join(', ');
}

function keyMessage(error: ErrorObject): string {
  switch (error.keyword) {
    case 'not':
      return 'is a reserved key name (__proto__, constructor and prototype are refused)';
    case 'minLength':
      return 'is an empty key';
    case 'maxLength':
      return `is a key longer than ${String(error.params.limit)} characters`;
    case 'pattern':
      return 'is a key with control characters';
    default:
      return 'is not an allowed key';
  }
}

function valueMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const limit = String(params.limit);
  switch (error.keyword) {
    case 'type': {
      const wanted = String(params.type)
        .split(',')
        .map((type) => TYPE_NAMES[type] ?? type)
        .join(' or ');
      return `must be ${wanted} (got ${shown(error.data)})`;
    }
    case 'enum':
      return `must be one of ${oneOf(params.allowedValues as unknown[])} (got ${shown(error.data)})`;
    case 'const':
      return `must be ${shown(params.allowedValue)}`;
    case 'format':
      return params.format === 'date-time'
        ? `must be an ISO-8601 date-time with a time zone, e.g. 2026-11-20T10:00:00.000Z (got ${shown(error.data)})`
        : `must be a valid ${String(params.format)}`;
    case 'pattern': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return `must be ${description ?? `a string matching ${String(params.pattern)}`} (got ${shown(error.data)})`;
    }
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`;
    case 'maxLength':
      return `must be at most ${limit} characters`;
    case 'minItems':
      return `must have at least ${limit} items`;
    case 'maxItems':
      return `must have at most ${limit} items`;
    case 'minProperties':
      return `must have at least ${limit} entries`;
    case 'maxProperties':
      return `must have at most ${limit} entries`;
    case 'minimum':
      return `must be at least ${limit} (got ${shown(error.data)})`;
    case 'maximum':
      return `must be at most ${limit} (got ${shown(error.data)})`;
    case 'exclusiveMinimum':
      return `must be greater than ${limit} (got ${shown(error.data)})`;
    case 'exclusiveMaximum':
      return `must be less than ${limit} (got ${shown(error.data)})`;
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

/**
 * Ajv's errors rewritten for an operator: each names the offending field as a pointer, and says what
 * was expected in words. Errors that only restate others (`if`, the summary `propertyNames` error)
 * are dropped, and duplicates from overlapping schemas are merged. Usable with any Ajv instance;
 * with `verbose: true` it also quotes the offending value and a pattern's `description`.
 */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const result: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    let field: FieldError;
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue;
    if (error.propertyName !== undefined) {
      field = { path: pointer(error.instancePath, error.propertyName), message: keyMessage(error) };
    } else if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      field = { path: pointer(error.instancePath, missing), message: 'is required' };
    } else if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      field = { path: pointer(error.instancePath, extra), message: 'is not an allowed field' };
    } else {
      field = { path: error.instancePath, message: valueMessage(error) };
    }
    const identity = `${field.path}\u0000${field.message}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    result.push(field);
  }
  return result;
}
