import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ActionEntity } from './action.entity';
import { PlanEntity } from './plan.entity';

/**
 * The append-only timeline of a plan (`GET /v1/plans/:id/events`): every plan and action state
 * change with its time and detail. A trigger installed by the migration rejects UPDATE, so the
 * audit trail cannot be rewritten; rows go only with their plan (retention).
 */
@Entity({ name: 'plan_events' })
@Index('ix_plan_events_plan', ['planId', 'id'])
@Index('ix_plan_events_action', ['actionId'])
export class PlanEventEntity {
  // bigserial rather than uuid: the id orders the timeline even when two events share `at`.
  // pg returns int8 as a string, to stay exact beyond 2^53.
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_plan_events' })
  id!: string;

  @Column({ type: 'uuid', name: 'plan_id' })
  planId!: string;

  @ManyToOne(() => PlanEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_plan_events_plan' })
  plan?: Relation<PlanEntity>;

  @Column({ type: 'uuid', name: 'action_id', nullable: true })
  actionId!: string | null;

  @ManyToOne(() => ActionEntity, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'action_id', foreignKeyConstraintName: 'fk_plan_events_action' })
  action?: Relation<ActionEntity> | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  /** What happened, e.g. `plan.state`, `action.state`, `action.progress`, `note`. */
  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text', name: 'from_state', nullable: true })
  fromState!: string | null;

  @Column({ type: 'text', name: 'to_state', nullable: true })
  toState!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail!: object | null;
}
