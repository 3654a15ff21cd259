import type { DriverBackend, HostStatus } from '@reflex/contracts/inventory.v1';
import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A compute host (CONTRACT §4). Capacity is kept in columns rather than jsonb so placement and
 * `hostLoad` can sum it in SQL.
 */
@Entity({ name: 'hosts' })
@Check('ck_hosts_status', `status IN ('up', 'down', 'disabled', 'maintenance')`)
export class HostEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_hosts' })
  id!: string;

  @Column({ type: 'text' })
  zone!: string;

  @Column({ type: 'text' })
  status!: HostStatus;

  @Column({ type: 'text' })
  hypervisor!: string;

  // Not CHECKed: a new backend is a plug-in and must not need a migration.
  @Column({ type: 'text' })
  driver!: DriverBackend;

  @Column({ type: 'integer', name: 'capacity_vcpus' })
  capacityVcpus!: number;

  @Column({ type: 'integer', name: 'capacity_memory_mb' })
  capacityMemoryMb!: number;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  labels!: Record<string, string>;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
