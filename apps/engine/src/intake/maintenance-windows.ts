import { Injectable } from '@nestjs/common';
import type { MaintenanceWindow } from '@reflex/rules';
import type { EntityManager } from 'typeorm';
import { AlarmRepository } from './alarm.repository';
import type { MaintenanceLookup } from '../rules/live-fact-source';

export const MAINTENANCE_REQUESTED = 'host.maintenance.requested';
export const MAINTENANCE_COMPLETED = 'host.maintenance.completed';

/** Open maintenance on a host = a `host.maintenance.requested` alarm that is firing and not closed. */
@Injectable()
export class MaintenanceWindows implements MaintenanceLookup {
  constructor(private readonly alarms: AlarmRepository) {}

  async openMaintenance(hostId: string, manager: EntityManager): Promise<MaintenanceWindow | null> {
    const open = await this.alarms.findOpenOfType(manager, MAINTENANCE_REQUESTED, 'host', hostId);
    if (!open) return null;
    return {
      hostId,
      reason: open.annotations.reason ?? open.annotations.summary ?? null,
      requestedAt: open.occurredAt.toISOString(),
      notBefore: open.annotations.notBefore ?? null,
    };
  }
}
