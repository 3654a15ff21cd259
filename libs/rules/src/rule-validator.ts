import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import ruleSchema from '../../../rules/rule.schema.json';
import { ruleHash } from './canonical-json';
import { MAX_DOCUMENT_DEPTH, checkConditions, documentDepth } from './condition-checks';
import { didYouMean, type Location, ruleError, show } from './rule-error';
import type { RuleDefinition, RuleError } from './rule.types';

/** Larger rule files are refused before they are parsed. */
export const MAX_RULE_FILE_BYTES = 256 * 1024;
export const RULE_FILE_SUFFIX = '.rule.json';

export interface RuleValidationOptions {
  /** The file's base name; when given it must be `<name>.rule.json`. */
  fileName?: string;
  maxBytes?: number;
}

export type RuleValidation =
  { ok: true; rule: RuleDefinition; hash: string; errors: [] } | { ok: false; errors: RuleError[] };

export { ruleSchema };

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  // verbose: errors carry the failing data and schema, which the messages quote.
  compiled ??= new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    // `if: { required: [...] }` probes for a key without declaring it; that is the point.
    strictRequired: false,
  }).compile(ruleSchema);
  return compiled;
}

/** Validates the text of a rule file: size, JSON syntax (with line and column), then `validateRule`. */
export function validateRuleText(
  text: string | Buffer,
  options: RuleValidationOptions = {},
): RuleValidation {
  const maxBytes = options.maxBytes ?? MAX_RULE_FILE_BYTES;
  const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (bytes > maxBytes) {
    return fail([
      ruleError([], `the file is ${bytes} bytes; a rule file may have at most ${maxBytes}`),
    ]);
  }
  const source = typeof text === 'string' ? text : text.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    return fail([ruleError([], `not valid JSON: ${describeJsonError(error as Error, source)}`)]);
  }
  return validateRule(parsed, options);
}

/** Validates a parsed rule against `rules/rule.schema.json` plus the checks a schema cannot express. */
export function validateRule(input: unknown, options: RuleValidationOptions = {}): RuleValidation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return fail([ruleError([], `a rule must be a JSON object; got ${show(input)}`)]);
  }
  if (documentDepth(input, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH) {
    return fail([ruleError([], `the document nests deeper than ${MAX_DOCUMENT_DEPTH} levels`)]);
  }
  const validate = schemaValidator();
  const errors = validate(input) ? [] : fromAjv(validate.errors ?? [], input);
  const record = input as Record<string, unknown>;
  if (record.conditions !== null && typeof record.conditions === 'object') {
    errors.push(...checkConditions(record.conditions));
  }
  errors.push(...checkParamNames(record.event));
  if (options.fileName !== undefined && typeof record.name === 'string') {
    const expected = `${record.name}${RULE_FILE_SUFFIX}`;
    if (options.fileName !== expected) {
      errors.push(
        ruleError(
          ['name'],
          `rule "${record.name}" must be in a file called ${expected}, not ${options.fileName}`,
        ),
      );
    }
  }
  if (errors.length > 0) return fail(dedupe(errors));
  return { ok: true, rule: input as RuleDefinition, hash: ruleHash(input), errors: [] };
}

const KNOWN_PARAMS = Object.keys(ruleSchema.$defs.event.properties.params.properties);

/**
 * Params no policy reads pass through (notifiers may read them from the plan), but one a typo away
 * from a known param would be silently ignored where the author meant it: `allowNoStanby: true`
 * would leave drains blocked with no hint why.
 */
function checkParamNames(event: unknown): RuleError[] {
  const params = (event as { params?: unknown } | null | undefined)?.params;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return [];
  return Object.keys(params).flatMap((name) => {
    if (KNOWN_PARAMS.includes(name)) return [];
    const hint = didYouMean(name, KNOWN_PARAMS);
    return hint
      ? [
          ruleError(
            ['event', 'params', name],
            `unknown param "${name}"${hint} (params: ${KNOWN_PARAMS.join(', ')})`,
          ),
        ]
      : [];
  });
}

function fail(errors: RuleError[]): RuleValidation {
  return { ok: false, errors };
}

function fromAjv(ajvErrors: ErrorObject[], data: unknown): RuleError[] {
  const anyOfAt = ajvErrors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const out: RuleError[] = [];
  for (const e of ajvErrors) {
    if (e.keyword === 'if') continue;
    // The alternatives of a failed anyOf each explain why they did not fit; the anyOf says it once.
    const underAnyOf = anyOfAt.some(
      (p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`),
    );
    if (underAnyOf && e.keyword !== 'anyOf') continue;
    const at = locationOf(e.instancePath, data);
    const last = at[at.length - 1];
    // Operators and paths get a more precise message from checkConditions.
    if (
      e.keyword === 'pattern' &&
      (last === 'operator' || last === 'path') &&
      at[0] === 'conditions'
    )
      continue;
    out.push(describeAjvError(e, at));
  }
  return out;
}

function describeAjvError(e: ErrorObject, at: Location): RuleError {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      if (e.schemaPath.includes('missingBooleanOperator')) {
        return ruleError(at, 'must have one of "all", "any" or "not" at the top');
      }
      return ruleError([...at, String(params.missingProperty)], 'is required');
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      return ruleError(
        [...at, name],
        `unknown property "${name}" (allowed: ${known.join(', ')})` + didYouMean(name, known),
      );
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return ruleError(at, `must be one of: ${allowed.join(', ')}; got ${show(e.data)}${hint}`);
    }
    case 'type':
      return ruleError(at, `must be ${String(params.type)}; got ${show(e.data)}`);
    case 'anyOf':
      return ruleError(at, `must be ${String(e.parentSchema?.description)}; got ${show(e.data)}`);
    default:
      return ruleError(at, `${e.message ?? e.keyword}; got ${show(e.data)}`);
  }
}

/** Turns an ajv instance pointer into steps, with array indexes as numbers. */
function locationOf(pointer: string, data: unknown): Location {
  if (pointer === '') return [];
  const steps: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      steps.push(Number(key));
      node = node[Number(key)];
    } else {
      steps.push(key);
      node =
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
  }
  return steps;
}

function describeJsonError(error: Error, source: string): string {
  const match = /at position (\d+)/.exec(error.message);
  const message = error.message.replace(/ in JSON at position \d+.*$/, '');
  if (!match) return message;
  const position = Number(match[1]);
  const before = source.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${message} at line ${line}, column ${column}`;
}

function dedupe(errors: RuleError[]): RuleError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
