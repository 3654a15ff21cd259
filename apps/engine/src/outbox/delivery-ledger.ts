import type { OutboxRecord } from '@reflex/persistence';

/** The header that carries an outbox row's id on the broker, so a relay can find what it sent. */
export const OUTBOX_ID_HEADER = 'x-outbox-id';

/**
 * Answers "is this outbox row already on the broker?" for rows whose publication is in doubt (a
 * relay noted the attempt and then died or failed before recording the outcome).
 */
export interface DeliveryLedger {
  /** The ids among `records` found on their topics, searching from `since`. */
  delivered(records: readonly OutboxRecord[], since: Date): Promise<Set<string>>;
}

export const DELIVERY_LEDGER = Symbol('DELIVERY_LEDGER');
