import type { AntiAffinity } from '@reflex/contracts/inventory.v1';
import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An N+standby redundancy group (CONTRACT §4). */
@Entity({ name: 'groups' })
@Check('ck_groups_anti_affinity', `anti_affinity IN ('host', 'rack', 'zone', 'none')`)
export class GroupEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_groups' })
  id!: string;

  @Column({ type: 'integer' })
  active!: number;

  @Column({ type: 'integer' })
  standby!: number;

  @Column({ type: 'text', name: 'anti_affinity' })
  antiAffinity!: AntiAffinity;

  /**
   * When the group last lost its redundancy (null while redundant). Stored rather than derived
   * because `GET /v1/groups/:id/status` must say since when, across engine restarts.
   */
  @Column({ type: 'timestamptz', name: 'degraded_since', nullable: true })
  degradedSince!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
