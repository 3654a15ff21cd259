import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The outbox relay's note that it is about to publish a claimed row, committed before the publish.
 * A row that is still unpublished but has a note may already be on the broker (the relay died after
 * the broker acknowledged it and before its transaction committed), so the next relay checks the
 * broker for it instead of sending it again. No foreign key to `outbox` on purpose: checking it would
 * need a KEY SHARE lock on a row that the relay's claiming transaction holds FOR UPDATE.
 */
@Entity({ name: 'outbox_attempts' })
export class OutboxAttemptEntity {
  @PrimaryColumn({
    type: 'bigint',
    name: 'outbox_id',
    primaryKeyConstraintName: 'pk_outbox_attempts',
  })
  outboxId!: string;

  /** The relay's clock (the one Kafka timestamps come from), to bound the broker search. */
  @Column({ type: 'timestamptz', name: 'attempted_at' })
  attemptedAt!: Date;
}
