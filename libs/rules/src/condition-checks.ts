import { checkFactPath } from './fact-shapes';
import { didYouMean, type Location, ruleError, show } from './rule-error';
import { FACT_NAMES, type FactName, type RuleError } from './rule.types';
import { OPERATOR_DECORATORS, OPERATORS, expectedValueKind, parseOperator } from './operators';
import { parseSimplePath } from './simple-path';

export const MAX_CONDITION_DEPTH = 32;
/** Bounds the whole document too (a deep `value`), and keeps the schema validator's recursion shallow. */
export const MAX_DOCUMENT_DEPTH = 64;

const BOOLEAN_KEYS = ['all', 'any', 'not'] as const;

/** Nesting depth of a JSON value, without recursion (the input may be hostile). */
export function documentDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, level]);
  }
  return deepest;
}

/**
 * What JSON Schema cannot say about a condition tree: operator names (decorators included), path
 * syntax, the value each operator needs, fact references in `value`, and the depth limit. The walk
 * is defensive: it also runs on trees the schema has refused, to report everything in one pass.
 */
export function checkConditions(root: unknown): RuleError[] {
  const errors: RuleError[] = [];
  walk(root, ['conditions'], 1, errors);
  return errors;
}

function walk(node: unknown, at: Location, depth: number, errors: RuleError[]): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
  const record = node as Record<string, unknown>;
  const key = BOOLEAN_KEYS.find((k) => Object.prototype.hasOwnProperty.call(record, k));
  if (key) {
    if (depth > MAX_CONDITION_DEPTH) {
      errors.push(ruleError(at, `conditions nest deeper than ${MAX_CONDITION_DEPTH} levels`));
      return;
    }
    const children = record[key];
    if (key === 'not') walk(children, [...at, 'not'], depth + 1, errors);
    else if (Array.isArray(children)) {
      children.forEach((child, i) => walk(child, [...at, key, i], depth + 1, errors));
    }
    return;
  }
  checkLeaf(record, at, errors);
}

function checkLeaf(leaf: Record<string, unknown>, at: Location, errors: RuleError[]): void {
  const { operator, path, value } = leaf;
  let base: string | undefined;
  let decorated = false;
  if (typeof operator === 'string') {
    const parsed = parseOperator(operator);
    base = parsed.base;
    decorated = parsed.decorators.length > 0;
    for (const decorator of parsed.decorators) {
      if (!(OPERATOR_DECORATORS as readonly string[]).includes(decorator)) {
        errors.push(
          ruleError(
            [...at, 'operator'],
            `unknown operator decorator "${decorator}" in "${operator}" (known: ${OPERATOR_DECORATORS.join(', ')})` +
              didYouMean(decorator, OPERATOR_DECORATORS),
          ),
        );
      }
    }
    if (!OPERATORS.includes(base)) {
      errors.push(
        ruleError(
          [...at, 'operator'],
          `unknown operator "${base}" (known: ${OPERATORS.join(', ')})` +
            didYouMean(base, OPERATORS),
        ),
      );
      base = undefined;
    }
  }
  if (typeof path === 'string') checkPath(leaf.fact, path, [...at, 'path'], errors);

  if (isFactReference(value)) {
    checkFactReference(value as Record<string, unknown>, [...at, 'value'], errors);
  } else if (base && !decorated && Object.prototype.hasOwnProperty.call(leaf, 'value')) {
    checkValueKind(base, value, [...at, 'value'], errors);
  }
}

/** Syntax first; then, for a fact whose shape is known, that the path can reach something. */
function checkPath(fact: unknown, path: string, at: Location, errors: RuleError[]): void {
  const parsed = parseSimplePath(path);
  if (parsed.error) errors.push(ruleError(at, `invalid path ${show(path)}: ${parsed.error}`));
  else if (isFactName(fact)) {
    const error = checkFactPath(fact, path, parsed.steps ?? [], at);
    if (error) errors.push(error);
  }
}

function isFactName(fact: unknown): fact is FactName {
  return typeof fact === 'string' && (FACT_NAMES as readonly string[]).includes(fact);
}

/** json-rules-engine reads any object with an own `fact` property as a reference to a fact. */
function isFactReference(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.prototype.hasOwnProperty.call(value, 'fact')
  );
}

function checkFactReference(ref: Record<string, unknown>, at: Location, errors: RuleError[]): void {
  const fact = ref.fact;
  if (!isFactName(fact)) {
    errors.push(
      ruleError(
        [...at, 'fact'],
        `unknown fact ${show(fact)} (known: ${FACT_NAMES.join(', ')})` +
          (typeof fact === 'string' ? didYouMean(fact, FACT_NAMES) : ''),
      ),
    );
  }
  if (ref.path !== undefined) {
    if (typeof ref.path === 'string') checkPath(fact, ref.path, [...at, 'path'], errors);
    else errors.push(ruleError([...at, 'path'], `must be a string; got ${show(ref.path)}`));
  }
  for (const key of Object.keys(ref)) {
    if (key !== 'fact' && key !== 'path') {
      errors.push(
        ruleError(
          [...at, key],
          `a fact reference takes only "fact" and "path"; "${key}" is not allowed (to compare with ` +
            'an object that has a "fact" key, that is not possible in json-rules-engine)',
        ),
      );
    }
  }
}

function checkValueKind(operator: string, value: unknown, at: Location, errors: RuleError[]): void {
  const expected = expectedValueKind(operator);
  const ok =
    expected === null ||
    (expected === 'number' && typeof value === 'number') ||
    (expected === 'array' && Array.isArray(value)) ||
    (expected === 'string' && typeof value === 'string') ||
    (expected === 'boolean' && typeof value === 'boolean') ||
    (expected === 'scalar' && (value === null || typeof value !== 'object'));
  if (ok) return;
  const why =
    expected === 'scalar'
      ? `"${operator}" compares with ===, so an object or array value never matches; use a string, number, boolean or null`
      : `"${operator}" needs ${expected === 'array' ? 'an' : 'a'} ${expected} value (or { "fact": ... })`;
  errors.push(ruleError(at, `${why}; got ${show(value)}`));
}
