import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runStatements } from './statements';

/** The transactional outbox and the processed-message ledger of idempotent consumers. */
export class Messaging1795213380000 implements MigrationInterface {
  name = 'Messaging1795213380000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [
      `CREATE TABLE outbox (
        id bigserial NOT NULL,
        topic text NOT NULL,
        key text,
        value jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        CONSTRAINT pk_outbox PRIMARY KEY (id)
      )`,
      // Published rows pile up until pruned; the relay only ever looks at unpublished ones, so both
      // of its indexes stay as small as the backlog.
      `CREATE INDEX ix_outbox_unpublished ON outbox (id) WHERE published_at IS NULL`,
      `CREATE INDEX ix_outbox_unpublished_key ON outbox (topic, key, id) WHERE published_at IS NULL`,
      `CREATE TABLE processed_messages (
        consumer text NOT NULL,
        message_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_processed_messages PRIMARY KEY (consumer, message_id)
      )`,
      `CREATE INDEX ix_processed_messages_processed_at ON processed_messages (processed_at)`,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runStatements(queryRunner, [`DROP TABLE processed_messages`, `DROP TABLE outbox`]);
  }
}
