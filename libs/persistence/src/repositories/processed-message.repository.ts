import type { UnitOfWork } from '../unit-of-work';

/** The ledger of idempotent consumers (`processed_messages`). */
export class ProcessedMessageRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * Records that `consumer` processed `messageId`, in the current transaction: true when this is
   * the first time, false when it was already recorded (skip the message). Call it in the same
   * transaction as the message's effects, so both commit or neither does. A concurrent duplicate
   * waits for the first transaction and then answers false (or true if the first rolled back).
   */
  async markProcessed(consumer: string, messageId: string): Promise<boolean> {
    const inserted = await this.uow.manager.query<unknown[]>(
      `INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING
       RETURNING message_id`,
      [consumer, messageId],
    );
    return inserted.length === 1;
  }
}
