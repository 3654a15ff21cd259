import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The driver's simulated cloud (CONTRACT §7 `simulator`), one row per host, instance, group,
 * operation and backend call, so driver replicas share one cloud and a restarted driver finds its
 * migrations where they were. Writers change rows only together with `simulator_meta.version`,
 * guarded by the version they read, so two replicas never interleave two changes; each row keeps
 * the version that wrote it, so a replica catches up by reading the newer rows only.
 */
@Entity({ name: 'simulator_meta' })
@Check('ck_simulator_meta_single', `id = 1`)
export class SimulatorMetaEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_simulator_meta' })
  id!: number;

  @Column({ type: 'bigint' })
  version!: string;

  /** Goes up when the cloud is replaced wholesale (a seed): replicas then read it all again. */
  @Column({ type: 'bigint' })
  epoch!: string;

  @Column({ type: 'bigint', name: 'call_seq' })
  callSeq!: string;

  @Column({ type: 'jsonb' })
  settings!: object;

  @Column({ type: 'jsonb' })
  faults!: object;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

/** Hosts, instances and groups of the simulated cloud; `kind` names the map a row belongs to. */
@Entity({ name: 'simulator_inventory' })
@Check('ck_simulator_inventory_kind', `kind IN ('hosts', 'instances', 'groups')`)
@Index('ix_simulator_inventory_version', ['version'])
export class SimulatorInventoryEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_simulator_inventory' })
  kind!: 'hosts' | 'instances' | 'groups';

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_simulator_inventory' })
  id!: string;

  @Column({ type: 'jsonb' })
  data!: object;

  @Column({ type: 'bigint' })
  version!: string;
}

/** `status` and `holds_claim` repeat fields of `data` for the questions asked in SQL. */
@Entity({ name: 'simulator_operations' })
@Check('ck_simulator_operations_status', `status IN ('running', 'succeeded', 'failed', 'aborted')`)
@Index('ix_simulator_operations_version', ['version'])
// Partial (running or holding capacity): what a driver keeps in memory; TypeORM cannot say it.
@Index('ix_simulator_operations_live', { synchronize: false })
export class SimulatorOperationEntity {
  /** `${actionId}#${attempt}`. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_simulator_operations' })
  key!: string;

  @Column({ type: 'text', name: 'action_id' })
  actionId!: string;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'boolean', name: 'holds_claim' })
  holdsClaim!: boolean;

  @Column({ type: 'jsonb' })
  data!: object;

  @Column({ type: 'bigint' })
  version!: string;
}

/** The backend call log (`GET /v1/sim/calls`), pruned to the newest entries. */
@Entity({ name: 'simulator_calls' })
export class SimulatorCallEntity {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_simulator_calls' })
  seq!: string;

  @Column({ type: 'text', name: 'action_id' })
  actionId!: string;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'jsonb' })
  data!: object;
}

export const SIMULATOR_ENTITIES = [
  SimulatorMetaEntity,
  SimulatorInventoryEntity,
  SimulatorOperationEntity,
  SimulatorCallEntity,
];
