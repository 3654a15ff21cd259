import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

// What the webhooks read of their senders' payloads (the mappers' types beside them), for the
// OpenAPI document. Open: the senders add fields Reflex does not read, and must not be refused.

const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };

/** Prometheus Alertmanager's webhook, version 4 (AlertmanagerWebhookV4). */
export const ALERTMANAGER_WEBHOOK_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['version', 'alerts'],
  properties: {
    version: { type: 'string', enum: ['4'] },
    status: { type: 'string', enum: ['firing', 'resolved'] },
    receiver: { type: 'string' },
    groupKey: { type: 'string' },
    alerts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt'],
        properties: {
          status: { type: 'string', enum: ['firing', 'resolved'], description: '→ state' },
          labels: {
            ...stringMap,
            description:
              '`alertname` → type, `severity` → severity, the first of ALERTMANAGER_RESOURCE_LABELS present → resource',
          },
          annotations: stringMap,
          startsAt: { type: 'string', format: 'date-time' },
          endsAt: { type: 'string', format: 'date-time' },
          fingerprint: { type: 'string', description: '`<fingerprint>@<startsAt>` → id' },
          generatorURL: { type: 'string' },
        },
      },
    },
  },
};

/** The body Aodh's REST alarm notifier posts (AodhNotification). */
export const AODH_NOTIFICATION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['alarm_id', 'current'],
  properties: {
    alarm_id: { type: 'string', description: '→ id' },
    alarm_name: { type: 'string', description: '→ type, unless ?type= is given' },
    severity: { type: 'string', description: 'low, moderate, critical (any case)' },
    previous: { type: 'string' },
    current: { type: 'string', description: 'alarm → firing, ok → resolved; others are ignored' },
    reason: { type: 'string' },
    reason_data: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        event: {
          type: 'object',
          properties: {
            event_type: { type: 'string' },
            generated: { type: 'string', description: '→ occurredAt' },
            traits: {
              type: 'array',
              description: '[name, type, value] triples; instance_id or host names the resource',
              items: { type: 'array' },
            },
          },
        },
      },
    },
  },
};
