import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Idempotent consumers: a message id recorded in the same transaction as its effects, so a
 * redelivered message is recognised and skipped (delivery is at-least-once on every topic).
 */
@Entity({ name: 'processed_messages' })
@Index('ix_processed_messages_processed_at', ['processedAt'])
export class ProcessedMessageEntity {
  /** The consumer (group) name: two consumers may each process the same message once. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'pk_processed_messages' })
  consumer!: string;

  /** An id that is stable across redeliveries: an alarm id, an action id + attempt + status… */
  @PrimaryColumn({
    type: 'text',
    name: 'message_id',
    primaryKeyConstraintName: 'pk_processed_messages',
  })
  messageId!: string;

  // Indexed so old rows can be pruned once redelivery of them is no longer possible.
  @Column({ type: 'timestamptz', name: 'processed_at', default: () => 'now()' })
  processedAt!: Date;
}
