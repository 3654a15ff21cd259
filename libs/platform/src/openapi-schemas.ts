import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { type MessageKind, schemaById, schemaOf } from '@reflex/contracts';

/**
 * The OpenAPI document shows the same JSON Schemas the validator enforces, so the two cannot drift.
 * Nest's document is OpenAPI 3.0, which cannot follow our cross-file `$ref`s or read 2020-12's
 * `if`/`then` and type lists: refs are inlined and those keywords dropped (the validator, not the
 * document, is the authority on what is accepted).
 */
type Json = unknown;

const DROPPED = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'if',
  'then',
  'else',
  'not',
  'propertyNames',
]);
// Deep enough for every inventory schema; the recursive `json` definition stops here as "any".
const MAX_DEPTH = 16;

function resolve(ref: string, base: string, own?: Json): { node: Json; base: string } {
  const url = new URL(ref, base);
  const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  const ownId = (own as { $id?: unknown } | undefined)?.$id;
  const document = url.toString() === ownId ? own : schemaById(url.toString());
  if (!document) throw new Error(`unknown schema ${url.toString()} (from ${base})`);
  let node: Json = document;
  for (const token of fragment.split('/').slice(1)) {
    node = (node as Record<string, Json>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return { node, base: url.toString() };
}

function convert(node: Json, base: string, depth: number, own?: Json): Json {
  if (Array.isArray(node)) return node.map((item) => convert(item, base, depth + 1, own));
  if (typeof node !== 'object' || node === null) return node;
  if (depth > MAX_DEPTH) return {};
  const object = node as Record<string, Json>;
  if (typeof object.$ref === 'string') {
    const target = resolve(object.$ref, base, own);
    return convert(target.node, target.base, depth + 1, own);
  }
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(object)) {
    if (DROPPED.has(key)) continue;
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((type) => type !== 'null');
      if (types.length < value.length) out.nullable = true;
      if (types.length === 1) out.type = types[0];
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Json>).map(([name, schema]) => [
          name,
          convert(schema, base, depth + 1, own),
        ]),
      );
    } else {
      out[key] = convert(value, base, depth + 1, own);
    }
  }
  return out;
}

const cache = new Map<MessageKind, SchemaObject>();

/** The JSON Schema of `kind`, as an inline OpenAPI 3.0 schema. */
export function openApiSchema(kind: MessageKind): SchemaObject {
  let schema = cache.get(kind);
  if (!schema) {
    const root = schemaOf(kind);
    schema = convert(root, String(root.$id), 0) as SchemaObject;
    cache.set(kind, schema);
  }
  return schema;
}

/**
 * A JSON Schema document outside the contracts' registry (`rules/rule.schema.json`), its own
 * `#/$defs/...` references followed, as an inline OpenAPI 3.0 schema.
 */
export function openApiSchemaOfDocument(root: { $id?: string }): SchemaObject {
  return convert(root, String(root.$id), 0, root) as SchemaObject;
}
