/**
 * Reflex's error hierarchy. Callers decide retry versus dead-letter from `retriable`, never from a
 * message string (after kafkajs's KafkaJSError).
 */
export class ReflexError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details?: unknown;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown; details?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

/** A single field-level problem: `path` is a JSON pointer-ish path such as `/resource/id`. */
export interface FieldError {
  path: string;
  message: string;
}

/** Input that can never be processed as sent: bad JSON, a schema violation, an unknown reference. */
export class ValidationError extends ReflexError {
  readonly errors: FieldError[];
  constructor(message: string, errors: FieldError[] = [], cause?: unknown) {
    super('VALIDATION_FAILED', message, { retriable: false, cause, details: errors });
    this.errors = errors;
  }
}

export class NotFoundError extends ReflexError {
  constructor(kind: string, id: string) {
    super('NOT_FOUND', `${kind} ${id} not found`, { retriable: false, details: { kind, id } });
  }
}

/** The object exists but its state forbids the call (approving a running plan). */
export class ConflictError extends ReflexError {
  constructor(message: string, details?: unknown) {
    super('CONFLICT', message, { retriable: false, details });
  }
}

/** A dependency (broker, database, backend) is unavailable for now; trying again may succeed. */
export class TransientError extends ReflexError {
  constructor(message: string, cause?: unknown) {
    super('TRANSIENT', message, { retriable: true, cause });
  }
}

/** A configuration variable is missing or malformed; the process must not start. */
export class ConfigError extends ReflexError {
  constructor(message: string) {
    super('CONFIG_INVALID', message, { retriable: false });
  }
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof ReflexError) return error.retriable;
  // Errors we did not classify are treated as transient so that nothing is dead-lettered by accident;
  // the consumer's retry budget bounds the cost of that choice.
  return true;
}
