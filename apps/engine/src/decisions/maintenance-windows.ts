import type { MaintenanceWindow } from '@reflex/rules';
import type { StoredAlarm } from './alarm.repository';

export const MAINTENANCE_REQUESTED = 'host.maintenance.requested';
export const MAINTENANCE_COMPLETED = 'host.maintenance.completed';

/** Open maintenance on a host = a `host.maintenance.requested` alarm that is firing and not closed. */
export function maintenanceWindowOf(request: StoredAlarm): MaintenanceWindow {
  return {
    hostId: request.resourceId,
    reason: request.annotations.reason ?? request.annotations.summary ?? null,
    requestedAt: request.occurredAt.toISOString(),
    notBefore: request.annotations.notBefore ?? null,
  };
}
