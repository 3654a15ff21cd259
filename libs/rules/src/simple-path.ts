/**
 * The JSONPath subset rules may use in `path`: `$`, then `.name`, `[0]` or `['any key']` steps.
 *
 * json-rules-engine hands `path` to jsonpath-plus by default, whose full language (recursive descent
 * `..`, filter and script expressions `?(...)`) can walk a whole inventory object or evaluate
 * code for every alarm. Rules are restricted to direct lookups, and the evaluator resolves them with
 * `resolveSimplePath` instead of jsonpath-plus: same results for this subset, no expression
 * evaluation at all, and own properties only (`$.constructor` finds nothing).
 */
export type PathStep = string | number;

const MAX_STEPS = 32;
const cache = new Map<string, PathStep[]>();
const CACHE_LIMIT = 1000;

export interface PathParseResult {
  steps?: PathStep[];
  error?: string;
}

export function parseSimplePath(path: string): PathParseResult {
  if (!path.startsWith('$')) return { error: 'must start with "$" (for example "$.state")' };
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    let match: RegExpMatchArray | null;
    if (rest.startsWith('..')) {
      return { error: 'recursive descent ".." is not allowed; name each step ("$.a.b")' };
    } else if ((match = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest))) {
      steps.push(match[1]);
    } else if ((match = /^\[(0|[1-9][0-9]{0,8})\]/.exec(rest))) {
      steps.push(Number(match[1]));
    } else if ((match = /^\['([^'\\]*)'\]/.exec(rest)) || (match = /^\["([^"\\]*)"\]/.exec(rest))) {
      steps.push(match[1]);
    } else if (rest.startsWith('[?') || rest.startsWith('[(')) {
      return { error: `filter and script expressions are not allowed (at "${rest}")` };
    } else if (rest.startsWith('[*]') || rest.startsWith('.*')) {
      return { error: `wildcards are not allowed (at "${rest}")` };
    } else {
      return {
        error: `cannot read "${rest}": use .name, [index] or ['key'] steps, as in "$.labels['zone']"`,
      };
    }
    i += match[0].length;
    if (steps.length > MAX_STEPS) return { error: `more than ${MAX_STEPS} steps` };
  }
  return { steps };
}

/** A path resolver for json-rules-engine's `pathResolver` option. Missing steps yield undefined. */
export function resolveSimplePath(value: unknown, path: string): unknown {
  let steps = cache.get(path);
  if (!steps) {
    const parsed = parseSimplePath(path);
    // Validation refuses such rules; reaching this means a rule bypassed the validator.
    if (!parsed.steps) throw new Error(`unsupported rule path "${path}": ${parsed.error}`);
    steps = parsed.steps;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(path, steps);
  }
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}
