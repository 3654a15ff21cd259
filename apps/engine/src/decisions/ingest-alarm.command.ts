import type { AlarmV1 } from '@reflex/contracts';
import type { ClosestMiss } from '@reflex/rules';
import type { AlarmDisposition } from '@reflex/persistence';

/** `capacity-watch`: the alarms Reflex raises itself about failover capacity (CapacityWatch). */
export type IntakeChannel =
  'kafka' | 'http' | 'alertmanager' | 'aodh' | 'maintenance-api' | 'capacity-watch';

export interface IngestAlarmCommand {
  alarm: AlarmV1;
  /** What arrived, stored for audit: the Alarm v1 itself, or the webhook body it was mapped from. */
  payload: object;
  channel: IntakeChannel;
}

export interface IngestAlarmResult {
  id: string;
  source: string;
  disposition: AlarmDisposition;
  planId: string | null;
  correlatedTo: string | null;
  reason: string | null;
  /**
   * The state of the plan this decision made (`pending_approval`, `running`, `blocked`, ...), or
   * `waiting` / `merged`; absent when it made none (and on replays).
   */
  planState?: string;
  /** `conditions-failed`: the rule for this alarm type that came nearest, and its failing conditions. */
  closest?: ClosestMiss;
  /** True when this exact message had been decided before (a redelivery): nothing new was done. */
  replay: boolean;
}
