import type { InstanceKind, InstanceRole, InstanceState } from '@reflex/contracts/inventory.v1';
import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * A VM or bare-metal instance (CONTRACT §4).
 *
 * `host_id` and `group_id` deliberately have no foreign keys: inventory arrives as independent
 * upserts on a Kafka topic keyed by object id, so an instance may be seen before its host or group,
 * and a host may be deleted while instances still name it. The domain treats a dangling reference
 * as "unknown", which a foreign key would turn into a rejected message.
 */
@Entity({ name: 'instances' })
@Check('ck_instances_kind', `kind IN ('vm', 'baremetal')`)
@Check('ck_instances_state', `state IN ('running', 'stopped', 'error', 'migrating')`)
@Check('ck_instances_role', `role IN ('active', 'standby')`)
@Check('ck_instances_priority', `priority BETWEEN 0 AND 100`)
@Index('ix_instances_host', ['hostId'])
@Index('ix_instances_group', ['groupId'])
export class InstanceEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_instances' })
  id!: string;

  @Column({ type: 'text', name: 'host_id' })
  hostId!: string;

  @Column({ type: 'text' })
  kind!: InstanceKind;

  @Column({ type: 'text' })
  state!: InstanceState;

  @Column({ type: 'integer' })
  vcpus!: number;

  @Column({ type: 'integer', name: 'memory_mb' })
  memoryMb!: number;

  @Column({ type: 'text', name: 'group_id', nullable: true })
  groupId!: string | null;

  @Column({ type: 'text', nullable: true })
  role!: InstanceRole | null;

  /** 0-100; null when the document has none (the planner takes 50). */
  @Column({ type: 'integer', nullable: true })
  priority!: number | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
