import type { AlarmSeverity, AlarmState, ResourceKind } from '@reflex/contracts/alarm.v1';
import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  Unique,
} from 'typeorm';
import { PlanEntity } from './plan.entity';

/**
 * What became of a received alarm. `received` is the value between intake and decision, for callers
 * that store first and decide in a second step. `no-rule`: no rule is written for the alarm's type;
 * `conditions-failed`: rules are, and their conditions held every one back.
 */
export const ALARM_DISPOSITIONS = [
  'received',
  'triggered',
  'duplicate',
  'correlated',
  'suppressed',
  'no-rule',
  'conditions-failed',
  'resolved',
  'rejected',
] as const;
export type AlarmDisposition = (typeof ALARM_DISPOSITIONS)[number];

/**
 * One row per distinct alarm message received (Kafka or HTTP), whatever became of it, so the audit
 * shows duplicates and correlated alarms as well as those that started plans.
 *
 * Idempotency: `uq_alarms_message` (source, alarm_id, state, occurred_at) is the natural identity of
 * a message. Intake inserts with ON CONFLICT DO NOTHING; when nothing is inserted, this exact
 * message was already decided (a Kafka redelivery after a crash, an HTTP retry, a producer resend)
 * and nothing more happens. A transport id (topic/partition/offset) was rejected as the key: HTTP
 * intake has none, and offsets restart when a topic is recreated, which would silently drop new
 * alarms. A re-notification of a still-firing alarm with a new occurred_at gets a row of its own with
 * disposition `duplicate`; a repeat that keeps occurred_at (Alertmanager keeps startsAt) collapses
 * into the first row, so its later value and annotations are not kept.
 *
 * Messages that are not a valid Alarm v1 have no identity and never get here (they go to
 * `alarms.dlq`); `rejected` is for valid alarms refused later, e.g. about an unknown resource, and
 * for webhook alerts that cannot be mapped to an Alarm v1 (kept with their reason).
 */
@Entity({ name: 'alarms' })
@Unique('uq_alarms_message', ['source', 'alarmId', 'state', 'occurredAt'])
@Check('ck_alarms_state', `state IN ('firing', 'resolved')`)
@Check('ck_alarms_severity', `severity IN ('critical', 'major', 'minor', 'warning', 'info')`)
@Check('ck_alarms_resource_kind', `resource_kind IN ('host', 'instance', 'group')`)
@Check(
  'ck_alarms_resource',
  `(resource_kind IS NOT NULL AND resource_id IS NOT NULL) OR (resource_kind IS NULL AND resource_id IS NULL AND disposition = 'rejected')`,
)
@Check(
  'ck_alarms_disposition',
  `disposition IN ('received', 'triggered', 'duplicate', 'correlated', 'suppressed', 'no-rule', 'conditions-failed', 'resolved', 'rejected')`,
)
@Index('ix_alarms_resource_received', ['resourceKind', 'resourceId', 'receivedAt'])
@Index('ix_alarms_type_received', ['type', 'receivedAt'])
@Index('ix_alarms_disposition_received', ['disposition', 'receivedAt'])
@Index('ix_alarms_plan', ['planId'])
@Index('ix_alarms_correlated_to', ['correlatedTo'])
export class AlarmEntity {
  // A surrogate key: (source, alarm_id) repeats across firing/resolved and re-notifications.
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_alarms' })
  id!: string;

  @Column({ type: 'text' })
  source!: string;

  /** The producer's alarm id (`AlarmV1.id`), unique only within `source`. */
  @Column({ type: 'text', name: 'alarm_id' })
  alarmId!: string;

  // Not CHECKed: operators add alarm types with rules alone.
  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text', nullable: true })
  severity!: AlarmSeverity | null;

  /** Intake fills in the contract's default (`firing`) so that the unique key never sees null. */
  @Column({ type: 'text' })
  state!: AlarmState;

  /** Null only for a rejected webhook alert that names no resource Reflex can read. */
  @Column({ type: 'text', name: 'resource_kind', nullable: true })
  resourceKind!: ResourceKind | null;

  @Column({ type: 'text', name: 'resource_id', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'timestamptz', name: 'occurred_at' })
  occurredAt!: Date;

  @Column({ type: 'timestamptz', name: 'received_at', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Record<string, string>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  annotations!: Record<string, string>;

  @Column({ type: 'double precision', nullable: true })
  value!: number | null;

  /** The message as received (an Alarm v1, or the Alertmanager/Aodh webhook body it came from). */
  @Column({ type: 'jsonb' })
  payload!: object;

  @Column({ type: 'text', default: 'received' })
  disposition!: AlarmDisposition;

  /** The plan this alarm triggered, if any. */
  @Column({ type: 'uuid', name: 'plan_id', nullable: true })
  planId!: string | null;

  @ManyToOne(() => PlanEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_alarms_plan' })
  plan?: Relation<PlanEntity> | null;

  /** The row of the wider firing alarm this one was correlated to (an instance on a down host). */
  @Column({ type: 'bigint', name: 'correlated_to', nullable: true })
  correlatedTo!: string | null;

  @ManyToOne(() => AlarmEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'correlated_to', foreignKeyConstraintName: 'fk_alarms_correlated_to' })
  correlatedAlarm?: Relation<AlarmEntity> | null;

  /** The decision: the rules that fired, the intent, and its explanation. */
  @Column({ type: 'jsonb', nullable: true })
  decision!: object | null;
}
