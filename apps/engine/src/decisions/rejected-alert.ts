import type { ResourceRefV1 } from '@reflex/contracts';

/**
 * One alert of a webhook notification that cannot become an Alarm v1. It is stored as a `rejected`
 * alarm row with its reason instead of failing the notification: a webhook sender (Alertmanager)
 * does not retry a 4xx and sends a group as one body, so a 400 lost every other alert of it.
 */
export interface RejectedAlert {
  id: string;
  source: string;
  type: string;
  state: 'firing' | 'resolved';
  /** Null when the alert names no resource Reflex can read. */
  resource: ResourceRefV1 | null;
  occurredAt: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The alert as received, made storable (see `storableCopy`). */
  payload: object;
  reason: string;
}
