import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { MessageKind } from '@reflex/contracts';
import { openApiSchema } from '@reflex/platform';

export { openApiSchema };

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
