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

function resolve(ref: string, base: string): { node: Json; base: string } {
  const url = new URL(ref, base);
  const fragment = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  const document = schemaById(url.toString());
  if (!document) throw new Error(`unknown schema ${url.toString()} (from ${base})`);
  let node: Json = document;
  for (const token of fragment.split('/').slice(1)) {
    node = (node as Record<string, Json>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return { node, base: url.toString() };
}

function convert(node: Json, base: string, depth: number): Json {
  if (Array.isArray(node)) return node.map((item) => convert(item, base, depth + 1));
  if (typeof node !== 'object' || node === null) return node;
  if (depth > MAX_DEPTH) return {};
  const object = node as Record<string, Json>;
  if (typeof object.$ref === 'string') {
    const target = resolve(object.$ref, base);
    return convert(target.node, target.base, depth + 1);
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
          convert(schema, base, depth + 1),
        ]),
      );
    } else {
      out[key] = convert(value, base, depth + 1);
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

export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', example: 'VALIDATION_FAILED' },
        message: { type: 'string' },
        details: {
          description: 'For 400: `[{ path, message }]`, `path` a JSON Pointer to the bad field',
        },
      },
    },
  },
};

export const GROUP_STATUS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['healthyActive', 'healthyStandby', 'redundant', 'degradedSince'],
  properties: {
    healthyActive: { type: 'integer', description: 'active members running on an up host' },
    healthyStandby: { type: 'integer', description: 'standby members running on an up host' },
    redundant: { type: 'boolean' },
    degradedSince: {
      type: 'string',
      format: 'date-time',
      nullable: true,
      description: 'when the group last lost redundancy; null while redundant',
    },
    sharedFailureDomains: {
      type: 'array',
      description: 'hosts, racks (`<zone>/<rack>`) and zones holding both an active and a standby',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['host', 'rack', 'zone'] },
          id: { type: 'string' },
          members: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

export function pageSchema(kind: MessageKind): SchemaObject {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: openApiSchema(kind) },
      nextCursor: {
        type: 'string',
        nullable: true,
        description: 'pass as `cursor` for the next page; null on the last page',
      },
    },
  };
}
