import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The driver's simulated cloud (CONTRACT §7 `simulator`) as one JSON document in one row, changed
 * only under `SELECT ... FOR UPDATE`, so driver replicas share one cloud and a restarted driver
 * finds its migrations where they were.
 */
@Entity({ name: 'simulator_state' })
@Check('ck_simulator_state_single', `id = 1`)
export class SimulatorStateEntity {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'pk_simulator_state' })
  id!: number;

  @Column({ type: 'jsonb' })
  state!: object;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
