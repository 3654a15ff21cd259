import type { Engine } from 'json-rules-engine';

/** json-rules-engine 7's built-in operators. */
export const BUILT_IN_OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;

/**
 * Ours. No regular-expression operator on purpose: a rule file is operator input evaluated for every
 * alarm, and a catastrophic pattern would stall alarm handling.
 */
export const REFLEX_OPERATORS = ['startsWith', 'endsWith', 'exists'] as const;

/** json-rules-engine 7's operator decorators, written as a prefix: `not:in`, `someFact:equal`. */
export const OPERATOR_DECORATORS = [
  'someFact',
  'someValue',
  'everyFact',
  'everyValue',
  'swap',
  'not',
] as const;

export const OPERATORS: readonly string[] = [...BUILT_IN_OPERATORS, ...REFLEX_OPERATORS];

const NUMERIC = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LIST = new Set(['in', 'notIn']);
const TEXT = new Set(['startsWith', 'endsWith']);
const IDENTITY = new Set(['equal', 'notEqual', 'contains', 'doesNotContain']);

/** Splits `not:someFact:equal` into its decorators and base operator. */
export function parseOperator(name: string): { decorators: string[]; base: string } {
  const parts = name.split(':');
  return { decorators: parts.slice(0, -1), base: parts[parts.length - 1] };
}

/**
 * What the operator needs on the value side, or null when anything goes. Only for undecorated
 * operators: a decorator such as `someValue` changes what the value is.
 */
export function expectedValueKind(operator: string): string | null {
  if (NUMERIC.has(operator)) return 'number';
  if (LIST.has(operator)) return 'array';
  if (TEXT.has(operator)) return 'string';
  if (operator === 'exists') return 'boolean';
  if (IDENTITY.has(operator)) return 'scalar';
  return null;
}

export function registerReflexOperators(engine: Engine): void {
  const isString = (v: unknown): v is string => typeof v === 'string';
  engine.addOperator<unknown, unknown>(
    'startsWith',
    (fact, value) => isString(fact) && isString(value) && fact.startsWith(value),
  );
  engine.addOperator<unknown, unknown>(
    'endsWith',
    (fact, value) => isString(fact) && isString(value) && fact.endsWith(value),
  );
  // `exists: true` holds when the fact (at its path) has a value; a missing fact resolves to null.
  engine.addOperator<unknown, unknown>('exists', (fact, value) => (fact != null) === value);
}
