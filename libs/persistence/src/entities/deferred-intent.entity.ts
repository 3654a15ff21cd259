import type { ResourceKind } from '@reflex/contracts/alarm.v1';
import type { Policy } from '@reflex/contracts/plan.v1';
import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { PlanEntity } from './plan.entity';

/**
 * A decision that wanted resources held by live plans it does not outrank (the conflict policy's
 * `wait`). It is planned again, oldest first, once every plan in `waitingFor` has finished;
 * `outcome` then records what became of it (a plan state, `merged`, or `waiting` again).
 */
@Entity({ name: 'deferred_intents' })
// Partial (unresolved rows only); TypeORM cannot describe it, the migration owns it.
@Index('ix_deferred_intents_waiting', { synchronize: false })
export class DeferredIntentEntity {
  // bigserial: the id is the FIFO order. pg returns int8 as a string.
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_deferred_intents' })
  id!: string;

  @Column({ type: 'text' })
  policy!: Policy;

  @Column({ type: 'text', name: 'target_kind' })
  targetKind!: ResourceKind;

  @Column({ type: 'text', name: 'target_id' })
  targetId!: string;

  /** The `PlanIntent` as the rules made it. */
  @Column({ type: 'jsonb' })
  intent!: object;

  @Column({ type: 'uuid', name: 'waiting_for', array: true, default: () => "'{}'" })
  waitingFor!: string[];

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ type: 'uuid', name: 'plan_id', nullable: true })
  planId!: string | null;

  @ManyToOne(() => PlanEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_deferred_intents_plan' })
  plan?: Relation<PlanEntity> | null;
}
