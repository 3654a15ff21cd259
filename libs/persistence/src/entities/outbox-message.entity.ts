import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Transactional outbox: a Kafka message written in the same transaction as the state change it
 * announces, and published by a relay afterwards, so a crash between the two can neither lose the
 * message nor publish one for a change that rolled back.
 *
 * `value` is jsonb: every message that goes through the outbox is a JSON contract message, and
 * jsonb lets an operator ask "which commands were sent for action X". A verbatim, possibly non-JSON
 * payload (the DLQ) is published directly by its consumer instead.
 */
@Entity({ name: 'outbox' })
// Partial indexes on unpublished rows (the relay's claim query); TypeORM cannot describe them.
@Index('ix_outbox_unpublished', { synchronize: false })
@Index('ix_outbox_unpublished_key', { synchronize: false })
export class OutboxMessageEntity {
  // bigserial: the id is the publication order. pg returns int8 as a string.
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_outbox' })
  id!: string;

  /** The logical topic (`Topic` of @reflex/contracts); the relay adds TOPIC_PREFIX. */
  @Column({ type: 'text' })
  topic!: string;

  /** The Kafka key; null lets Kafka choose the partition (and then there is no ordering). */
  @Column({ type: 'text', nullable: true })
  key!: string | null;

  @Column({ type: 'jsonb' })
  value!: unknown;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers!: Record<string, string>;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'published_at', nullable: true })
  publishedAt!: Date | null;
}
