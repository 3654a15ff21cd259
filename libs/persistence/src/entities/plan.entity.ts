import type { ResourceKind } from '@reflex/contracts/alarm.v1';
import type { OnFailure, PlanMode, PlanState, Policy } from '@reflex/contracts/plan.v1';
import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { ActionEntity } from './action.entity';

/**
 * Plan states in which a plan still owns its target. The partial unique index
 * `uq_plans_live_target` allows one such plan per (target_kind, target_id); superseding a plan
 * therefore means moving the old one out of these states *before* inserting the new one, in the
 * same transaction. Migrations copy this list as literal SQL on purpose: a migration is history and
 * must not change when this constant does.
 */
export const LIVE_PLAN_STATES = [
  'pending_approval',
  'pending',
  'running',
  'rolling_back',
] as const satisfies readonly PlanState[];

/** A plan (CONTRACT §6). The trigger is flattened into columns so audit queries can filter on it. */
@Entity({ name: 'plans' })
@Check(
  'ck_plans_state',
  `state IN ('pending_approval', 'pending', 'running', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'cancelled', 'superseded', 'blocked')`,
)
@Check('ck_plans_mode', `mode IN ('auto', 'manual')`)
@Check('ck_plans_target_kind', `target_kind IN ('host', 'instance', 'group')`)
@Check('ck_plans_on_failure', `on_failure IN ('rollback', 'stop', 'continue')`)
@Index('ix_plans_created', ['createdAt', 'id'])
@Index('ix_plans_state_created', ['state', 'createdAt', 'id'])
@Index('ix_plans_policy_created', ['policy', 'createdAt', 'id'])
@Index('ix_plans_trigger_rule_created', ['triggerRule', 'createdAt', 'id'])
@Index('ix_plans_trigger_alarm', ['triggerAlarmId', 'triggerSource'])
@Index('ix_plans_target_created', ['targetKind', 'targetId', 'createdAt'])
// GIN and partial indexes cannot be described by TypeORM's decorators; the migration owns them.
@Index('ix_plans_resources', { synchronize: false })
@Index('uq_plans_live_target', { synchronize: false })
@Index('ix_plans_live_cell', { synchronize: false })
export class PlanEntity {
  // Ids are normally minted by the planner, so that actions can name each other before insert; a
  // missing one is drawn by the database (gen_random_uuid()).
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_plans' })
  id!: string;

  @Column({ type: 'text' })
  state!: PlanState;

  // Not CHECKed, like action types: a new policy is code, and should not also need a migration.
  @Column({ type: 'text' })
  policy!: Policy;

  @Column({ type: 'text' })
  mode!: PlanMode;

  @Column({ type: 'text', name: 'target_kind' })
  targetKind!: ResourceKind;

  @Column({ type: 'text', name: 'target_id' })
  targetId!: string;

  @Column({ type: 'text', name: 'trigger_alarm_id' })
  triggerAlarmId!: string;

  @Column({ type: 'text', name: 'trigger_source' })
  triggerSource!: string;

  @Column({ type: 'text', name: 'trigger_rule' })
  triggerRule!: string;

  @Column({ type: 'integer', name: 'trigger_rule_version' })
  triggerRuleVersion!: number;

  /** Joins to `rule_versions.hash` for the exact rule text that made the plan. */
  @Column({ type: 'text', name: 'trigger_rule_hash' })
  triggerRuleHash!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  // Open-ended jsonb is typed `object`, here and in the other entities: TypeORM's insert() and
  // update() types reject `unknown`, and every such document is a JSON object.
  @Column({ type: 'jsonb', nullable: true })
  explanation!: object | null;

  @Column({ type: 'text', name: 'on_failure', default: 'rollback' })
  onFailure!: OnFailure;

  /** Every host and instance id the plan touches, for `GET /v1/plans?resource=` (GIN-indexed). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  resources!: string[];

  /** The planning cell it was made in (`''`: the whole cloud, or hosts without the cell label). */
  @Column({ type: 'text', default: '' })
  cell!: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'uuid', name: 'superseded_by', nullable: true })
  supersededBy!: string | null;

  @ManyToOne(() => PlanEntity, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'superseded_by', foreignKeyConstraintName: 'fk_plans_superseded_by' })
  supersedingPlan?: Relation<PlanEntity> | null;

  @OneToMany(() => ActionEntity, (action) => action.plan)
  actions?: Relation<ActionEntity>[];
}
