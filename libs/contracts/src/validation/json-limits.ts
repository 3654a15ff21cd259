import type { FieldError } from '@reflex/common';
import { pointer } from './field-errors';

/** Deeper than any Reflex message needs, shallow enough that no recursive walk can overflow. */
export const MAX_JSON_DEPTH = 32;

/**
 * The first place where `value` nests deeper than `maxDepth`, or null. Iterative on purpose: the
 * schema validator recurses, and a hostile `[[[[…]]]]` a million levels deep must be refused here
 * rather than blow its stack.
 */
export function findExcessiveNesting(value: unknown, maxDepth = MAX_JSON_DEPTH): FieldError | null {
  const stack: { node: unknown; path: string; depth: number }[] = [
    { node: value, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= maxDepth) {
      return { path, message: `is nested more than ${maxDepth} levels deep` };
    }
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
    for (const [key, child] of entries) {
      stack.push({ node: child, path: pointer(path, key), depth: depth + 1 });
    }
  }
  return null;
}

// Half of a UTF-16 surrogate pair without its other half.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) {
    return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode text';
  }
  return null;
}

/**
 * The first string (value or key) that is valid JSON but not text PostgreSQL can store: a NUL
 * character, or an unpaired UTF-16 surrogate (`"\ud800"`). Without this check such a message passed
 * validation and failed every insert: a 500 over HTTP, and on Kafka a message retried forever,
 * blocking its partition. Iterative, like `findExcessiveNesting`.
 */
export function findUnstorableText(value: unknown): FieldError | null {
  const stack: { node: unknown; path: string }[] = [{ node: value, path: '' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node === 'string') {
      const problem = unstorable(node);
      if (problem) return { path, message: problem };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
    for (const [key, child] of entries) {
      const at = pointer(path, key);
      const problem = typeof key === 'string' ? unstorable(key) : null;
      if (problem) return { path: at, message: `is a key that ${problem}` };
      stack.push({ node: child, path: at });
    }
  }
  return null;
}

/** A readable reason for a `JSON.parse` failure, with line and column when V8 gives a position. */
export function describeJsonSyntaxError(text: string, error: unknown): string {
  const detail = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  const match = /position (\d+)/.exec(detail);
  if (!match) return `is not valid JSON: ${detail}`;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `is not valid JSON at line ${line}, column ${column} (position ${position}): ${detail}`;
}
