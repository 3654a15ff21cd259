import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { GROUP_STATUS_SCHEMA, openApiSchema } from './inventory.openapi';

const CAPACITY: SchemaObject = {
  type: 'object',
  required: ['vcpus', 'memoryMb'],
  properties: { vcpus: { type: 'integer' }, memoryMb: { type: 'integer' } },
};

const page = (item: SchemaObject): SchemaObject => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: item },
    nextCursor: {
      type: 'string',
      nullable: true,
      description: 'pass as `cursor` for the next page; null on the last page',
    },
  },
});

/** `GET /v1/hosts`: Host v1 items with their load. */
export const HOST_GLANCE_PAGE = page({
  allOf: [
    openApiSchema('host.v1'),
    {
      type: 'object',
      required: ['load'],
      properties: {
        load: {
          type: 'object',
          description:
            "What the instances placed on the host use (every state counts: a stopped VM keeps its allocation), the same numbers as the rules' `hostLoad` fact",
          required: ['capacity', 'used', 'free', 'instanceCount', 'percent'],
          properties: {
            capacity: CAPACITY,
            used: CAPACITY,
            free: { ...CAPACITY, description: 'negative when the host is overcommitted' },
            instanceCount: { type: 'integer' },
            percent: {
              type: 'integer',
              description: 'the larger of the vCPU and memory shares used, in percent',
            },
          },
        },
      },
    },
  ],
});

/** `GET /v1/groups`: Group v1 items with their members and redundancy. */
export const GROUP_GLANCE_PAGE = page({
  allOf: [
    openApiSchema('group.v1'),
    {
      type: 'object',
      required: ['members', 'status'],
      properties: {
        members: {
          type: 'array',
          items: {
            type: 'object',
            required: ['instance', 'host', 'role', 'state', 'hostStatus', 'healthy'],
            properties: {
              instance: { type: 'string' },
              host: { type: 'string' },
              role: { type: 'string', enum: ['active', 'standby'], nullable: true },
              state: { type: 'string', enum: ['running', 'stopped', 'error', 'migrating'] },
              hostStatus: {
                type: 'string',
                enum: ['up', 'down', 'disabled', 'maintenance'],
                nullable: true,
                description: 'null when the host is not in the inventory',
              },
              healthy: { type: 'boolean', description: 'running on an `up` host' },
            },
          },
        },
        status: {
          ...GROUP_STATUS_SCHEMA,
          properties: { ...GROUP_STATUS_SCHEMA.properties },
          description: 'as `GET /v1/groups/:id/status` answers it, without sharedFailureDomains',
        },
      },
    },
  ],
});
