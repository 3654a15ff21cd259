import type { ActionParams, ActionState, ActionType } from '@reflex/contracts/plan.v1';
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

/** One step of a plan (CONTRACT §6). */
@Entity({ name: 'actions' })
@Check(
  'ck_actions_state',
  `state IN ('pending', 'running', 'succeeded', 'failed', 'aborted', 'skipped', 'compensated')`,
)
@Check('ck_actions_progress', `progress BETWEEN 0 AND 100`)
@Check('ck_actions_attempts', `attempts >= 0`)
// Also the (plan_id, seq) index for loading a plan's actions in order; compensations appended on
// roll-back take the next seq.
@Unique('uq_actions_plan_seq', ['planId', 'seq'])
@Index('ix_actions_type_state', ['type', 'state'])
@Index('ix_actions_compensation_for', ['compensationFor'])
@Index('ix_actions_created', ['createdAt', 'id'])
// GIN: TypeORM's decorators cannot say USING gin; the migration owns it.
@Index('ix_actions_host_ids', { synchronize: false })
export class ActionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_actions' })
  id!: string;

  @Column({ type: 'uuid', name: 'plan_id' })
  planId!: string;

  @ManyToOne(() => PlanEntity, (plan) => plan.actions, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_actions_plan' })
  plan?: Relation<PlanEntity>;

  @Column({ type: 'integer' })
  seq!: number;

  // Not CHECKed: the contract welcomes new action types, which should not need a migration.
  @Column({ type: 'text' })
  type!: ActionType;

  @Column({ type: 'jsonb' })
  params!: ActionParams;

  // An array rather than a join table: the graph is written once with the plan and only ever read
  // whole. Elements cannot carry foreign keys; the planner guarantees they name actions of the plan.
  @Column({ type: 'uuid', name: 'depends_on', array: true, default: () => "'{}'" })
  dependsOn!: string[];

  @Column({ type: 'text', default: 'pending' })
  state!: ActionState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'integer', default: 0 })
  progress!: number;

  @Column({ type: 'timestamptz', name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'uuid', name: 'compensation_for', nullable: true })
  compensationFor!: string | null;

  @ManyToOne(() => ActionEntity, { nullable: true })
  @JoinColumn({ name: 'compensation_for', foreignKeyConstraintName: 'fk_actions_compensation_for' })
  compensated?: Relation<ActionEntity> | null;

  /** When the driver must give up on the current attempt (sent as `deadline` in the command). */
  @Column({ type: 'timestamptz', nullable: true })
  deadline!: Date | null;

  /** When the engine last asked the driver about this running action (see the ticker's inquiry). */
  @Column({ type: 'timestamptz', name: 'asked_at', nullable: true })
  askedAt!: Date | null;

  /** Destinations a move found unusable, oldest first; it was placed again away from each. */
  @Column({ type: 'text', name: 'unusable_host_ids', array: true, default: () => "'{}'" })
  unusableHostIds!: string[];

  /** Every host the action involves (source, destination, the host itself), for `?host=`. */
  @Column({ type: 'text', name: 'host_ids', array: true, default: () => "'{}'" })
  hostIds!: string[];

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
