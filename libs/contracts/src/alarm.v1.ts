/** Alarm v1 (CONTRACT.md §3). Arrives on the `alarms` topic and on the HTTP intake endpoints. */
export const ALARM_SEVERITIES = ['critical', 'major', 'minor', 'warning', 'info'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

export const ALARM_STATES = ['firing', 'resolved'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

export const RESOURCE_KINDS = ['host', 'instance', 'group'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface ResourceRefV1 {
  kind: ResourceKind;
  id: string;
}

export interface AlarmV1 {
  /** Unique within `source`. */
  id: string;
  source: string;
  /** Dotted type, e.g. `host.down`. */
  type: string;
  severity?: AlarmSeverity;
  state?: AlarmState;
  resource: ResourceRefV1;
  /** ISO-8601. */
  occurredAt: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  value?: number;
}

/** The alarm types the shipped rules act on; operators may add any other type with rules. */
export const SHIPPED_ALARM_TYPES = [
  'host.down',
  'instance.down',
  'host.maintenance.requested',
  'host.maintenance.completed',
  'host.hardware.degraded',
  /** Raised by Reflex itself: losing a host, rack or zone now would leave instances unplaced. */
  'capacity.unsurvivable',
] as const;
