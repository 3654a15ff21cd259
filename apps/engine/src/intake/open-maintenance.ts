import { Injectable } from '@nestjs/common';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AlarmRepository } from '../decisions/alarm.repository';
import { MAINTENANCE_REQUESTED, maintenanceWindowOf } from '../decisions/maintenance-windows';

export type OpenMaintenance =
  | { hostId: string; open: false }
  | {
      hostId: string;
      open: true;
      /** The request as an alarm: `GET /v1/alarms/:id?source=` reads it whole. */
      alarm: { source: string; id: string };
      reason: string | null;
      requestedAt: string | null;
      notBefore: string | null;
      requestedBy: string | null;
      disposition: string;
      planId: string | null;
      planState: string | null;
      planReason: string | null;
    };

/** `GET /v1/hosts/:id/maintenance`: the open request as the decisions read it, with its plan now. */
@Injectable()
export class OpenMaintenanceReader {
  constructor(private readonly alarms: AlarmRepository) {}

  async open(hostId: string): Promise<OpenMaintenance> {
    const [request] = await this.alarms.openOnHosts([MAINTENANCE_REQUESTED], [hostId], []);
    if (!request) return { hostId, open: false };
    // Read again by its key for the plan's state and reason as they are now.
    const [withPlan] = await this.alarms.openFiring([request], []);
    const window = maintenanceWindowOf(request);
    return {
      hostId,
      open: true,
      alarm: { source: request.source, id: request.alarmId },
      reason: window.reason,
      requestedAt: window.requestedAt,
      notBefore: window.notBefore,
      requestedBy: request.annotations.requestedBy ?? null,
      disposition: request.disposition,
      planId: request.planId,
      planState: withPlan?.planState ?? null,
      planReason: withPlan?.planReason ?? null,
    };
  }
}

export const MAINTENANCE_REQUEST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      description: 'why; kept on the alarm and shown with its plan',
    },
    notBefore: {
      type: 'string',
      format: 'date-time',
      description:
        'the drain starts no earlier than this (the rule reads it as maintenance.notBefore)',
    },
  },
};

const nullableText: SchemaObject = { type: 'string', nullable: true };

export const OPEN_MAINTENANCE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['hostId', 'open'],
  properties: {
    hostId: { type: 'string' },
    open: { type: 'boolean', description: 'false: no open request (and no other field)' },
    alarm: { type: 'object', properties: { source: { type: 'string' }, id: { type: 'string' } } },
    reason: nullableText,
    requestedAt: { ...nullableText, format: 'date-time' },
    notBefore: { ...nullableText, format: 'date-time' },
    requestedBy: nullableText,
    disposition: {
      type: 'string',
      description: "the request's disposition (triggered, conditions-failed, ...)",
    },
    planId: nullableText,
    planState: nullableText,
    planReason: nullableText,
  },
};
