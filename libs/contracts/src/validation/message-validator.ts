import { type FieldError, ValidationError } from '@reflex/common';
import { describeFieldError, toFieldErrors } from './field-errors';
import { describeJsonSyntaxError, findExcessiveNesting, findUnstorableText } from './json-limits';
import {
  MAX_MESSAGE_BYTES,
  MESSAGE_KINDS,
  type MessageKind,
  type MessageOf,
  type MessageTypes,
} from './message-kinds';
import { compiledValidator, schemaOf } from './schema-registry';
import { SEMANTIC_CHECKS } from './semantic-checks';

/**
 * The one place where untrusted JSON becomes a typed contract value. Every Kafka consumer and HTTP
 * intake goes through here, so an operator gets the same 400 / dead-letter reason everywhere:
 * `ValidationError.errors` lists `{ path, message }` with `path` a JSON Pointer (see field-errors.ts).
 */

/** Operators need every problem at once, but a hostile message must not produce megabytes of them. */
const MAX_REPORTED_ERRORS = 100;
const ERRORS_IN_MESSAGE = 5;

export interface ParseOptions {
  /** Overrides `MAX_MESSAGE_BYTES[kind]`. */
  maxBytes?: number;
}

export function invalid(kind: MessageKind, errors: FieldError[]): ValidationError {
  const kept = errors.slice(0, MAX_REPORTED_ERRORS);
  const shown = kept.slice(0, ERRORS_IN_MESSAGE).map(describeFieldError).join('; ');
  const more =
    errors.length > ERRORS_IN_MESSAGE ? ` (and ${errors.length - ERRORS_IN_MESSAGE} more)` : '';
  return new ValidationError(`invalid ${kind}: ${shown}${more}`, kept);
}

/** The value itself, typed, when it is a valid `kind`; otherwise a ValidationError naming every bad field. */
export function validate<K extends MessageKind>(
  kind: K,
  value: unknown,
): MessageOf<K> | ValidationError {
  const tooDeep = findExcessiveNesting(value);
  if (tooDeep) return invalid(kind, [tooDeep]);
  const unstorable = findUnstorableText(value);
  if (unstorable) return invalid(kind, [unstorable]);
  const check = compiledValidator(kind);
  if (!check(value)) return invalid(kind, toFieldErrors(check.errors ?? []));
  const semantic = SEMANTIC_CHECKS[kind];
  const errors = semantic ? semantic(value as MessageTypes[K]) : [];
  return errors.length > 0 ? invalid(kind, errors) : (value as MessageOf<K>);
}

/** Like `validate`, for callers that let the error propagate (HTTP controllers: it maps to 400). */
export function assertValid<K extends MessageKind>(kind: K, value: unknown): MessageOf<K> {
  const result = validate(kind, value);
  if (result instanceof ValidationError) throw result;
  return result;
}

/**
 * Raw bytes or text to a typed value: refuses oversize input before parsing, reports invalid JSON
 * with its line and column, then validates.
 */
export function parseAndValidate<K extends MessageKind>(
  kind: K,
  raw: Buffer | string,
  options: ParseOptions = {},
): MessageOf<K> | ValidationError {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES[kind];
  const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.length;
  if (size > maxBytes) {
    return invalid(kind, [
      { path: '', message: `is ${size} bytes; at most ${maxBytes} are accepted` },
    ]);
  }
  const text = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/^\uFEFF/, '');
  if (text.trim() === '') return invalid(kind, [{ path: '', message: 'is empty' }]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = describeJsonSyntaxError(text, error);
    return new ValidationError(
      `invalid ${kind}: ${reason}`,
      [{ path: '', message: reason }],
      error,
    );
  }
  return validate(kind, value);
}

/** For `Subscription.decode`: throws the ValidationError, which is not retriable, so it dead-letters. */
export function decoderFor<K extends MessageKind>(
  kind: K,
  options: ParseOptions = {},
): (raw: Buffer | string) => MessageOf<K> {
  return (raw) => {
    const result = parseAndValidate(kind, raw, options);
    if (result instanceof ValidationError) throw result;
    return result;
  };
}

/**
 * For intakes that take one message or an array of them (POST /v1/alarms). Array paths are prefixed
 * with the element's index (`/2/resource/id`); the whole batch is refused if any element is invalid.
 */
export function validateOneOrMany<K extends MessageKind>(
  kind: K,
  value: unknown,
  maxItems = 1000,
): MessageOf<K>[] | ValidationError {
  if (!Array.isArray(value)) {
    const one = validate(kind, value);
    return one instanceof ValidationError ? one : [one];
  }
  if (value.length > maxItems) {
    return invalid(kind, [{ path: '', message: `must have at most ${maxItems} items` }]);
  }
  const values: MessageOf<K>[] = [];
  const errors: FieldError[] = [];
  value.forEach((item, index) => {
    const result = validate(kind, item);
    if (result instanceof ValidationError) {
      errors.push(...result.errors.map((e) => ({ ...e, path: `/${index}${e.path}` })));
    } else values.push(result);
  });
  return errors.length > 0 ? invalid(kind, errors) : values;
}

export interface MessageValidator<T> {
  readonly kind: MessageKind;
  /** The root JSON Schema's `$id`. */
  readonly schemaId: string;
  validate(value: unknown): T | ValidationError;
  assert(value: unknown): T;
  parse(raw: Buffer | string, options?: ParseOptions): T | ValidationError;
}

function validatorFor<K extends MessageKind>(kind: K): MessageValidator<MessageOf<K>> {
  return {
    kind,
    schemaId: String(schemaOf(kind).$id),
    validate: (value) => validate(kind, value),
    assert: (value) => assertValid(kind, value),
    parse: (raw, options) => parseAndValidate(kind, raw, options),
  };
}

/** Look a validator up by kind, e.g. from `TOPIC_MESSAGE_KINDS[topic]`. */
export const MESSAGE_VALIDATORS: { readonly [K in MessageKind]: MessageValidator<MessageOf<K>> } =
  Object.fromEntries(MESSAGE_KINDS.map((kind) => [kind, validatorFor(kind)])) as {
    [K in MessageKind]: MessageValidator<MessageOf<K>>;
  };

export function getMessageValidator<K extends MessageKind>(
  kind: K,
): MessageValidator<MessageOf<K>> {
  return MESSAGE_VALIDATORS[kind];
}

export const validateAlarmV1 = MESSAGE_VALIDATORS['alarm.v1'].validate;
export const validateInventoryV1 = MESSAGE_VALIDATORS['inventory.v1'].validate;
export const validateInventoryMessageV1 = MESSAGE_VALIDATORS['inventory-message.v1'].validate;
export const validateDriverCommandV1 = MESSAGE_VALIDATORS['driver-command.v1'].validate;
export const validateDriverEventV1 = MESSAGE_VALIDATORS['driver-event.v1'].validate;
export const validatePlanEventV1 = MESSAGE_VALIDATORS['plan-event.v1'].validate;
export const validateHostV1 = MESSAGE_VALIDATORS['host.v1'].validate;
export const validateInstanceV1 = MESSAGE_VALIDATORS['instance.v1'].validate;
export const validateGroupV1 = MESSAGE_VALIDATORS['group.v1'].validate;
