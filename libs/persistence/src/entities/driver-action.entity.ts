import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { ActionParams, ActionType } from '@reflex/contracts/plan.v1';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const DRIVER_ACTION_STATUSES = [
  'accepted',
  'running',
  'succeeded',
  'failed',
  'aborted',
] as const;
export type DriverActionStatus = (typeof DRIVER_ACTION_STATUSES)[number];

/**
 * The driver's record of one (action, attempt) it accepted (CONTRACT §7 restart safety). Inserted
 * before the driver touches a backend; `owner` + `lease_expires_at` say which replica watches it
 * (renewed by heartbeats, taken over when they stop); `final_event` is the one result ever
 * reported for it, recorded before it is published and re-published verbatim on redelivery.
 */
@Entity({ name: 'driver_actions' })
@Check(
  'ck_driver_actions_status',
  `status IN ('accepted', 'running', 'succeeded', 'failed', 'aborted')`,
)
@Check('ck_driver_actions_final', `(finished_at IS NULL) = (final_event IS NULL)`)
// Partial indexes (unfinished; final but unpublished); TypeORM cannot describe them.
@Index('ix_driver_actions_unfinished', { synchronize: false })
@Index('ix_driver_actions_unpublished', { synchronize: false })
export class DriverActionEntity {
  @PrimaryColumn({ type: 'text', name: 'action_id', primaryKeyConstraintName: 'pk_driver_actions' })
  actionId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_driver_actions' })
  attempt!: number;

  @Column({ type: 'text', name: 'plan_id' })
  planId!: string;

  @Column({ type: 'text' })
  type!: ActionType;

  @Column({ type: 'jsonb' })
  params!: ActionParams;

  @Column({ type: 'timestamptz' })
  deadline!: Date;

  /** The backend chosen when the command was accepted; a restart reconciles against it. */
  @Column({ type: 'text' })
  backend!: string;

  @Column({ type: 'text' })
  status!: DriverActionStatus;

  /** The backend's handle once it accepted the action, to resume watching after a restart. */
  @Column({ type: 'jsonb', nullable: true })
  handle!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', name: 'final_event', nullable: true })
  finalEvent!: DriverEventV1 | null;

  @Column({ type: 'timestamptz', name: 'final_published_at', nullable: true })
  finalPublishedAt!: Date | null;

  /** The replica watching the action; null once it is final. */
  @Column({ type: 'text', nullable: true })
  owner!: string | null;

  @Column({ type: 'timestamptz', name: 'lease_expires_at', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'abort_requested_at', nullable: true })
  abortRequestedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'force_complete_requested_at', nullable: true })
  forceCompleteRequestedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'accepted_at', default: () => 'now()' })
  acceptedAt!: Date;

  @Column({ type: 'timestamptz', name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
