import type { DriverCommandV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { DriverBackend } from '@reflex/contracts/inventory.v1';
import type { DriverActionStatus } from '@reflex/persistence';
import type { BackendAction, BackendHandle } from '../backends/backend.port';

export interface ActionKey {
  actionId: string;
  attempt: number;
}

/** A row of `driver_actions`, as the driver uses it. */
export interface DriverActionRecord extends ActionKey {
  planId: string;
  type: DriverCommandV1['type'];
  params: DriverCommandV1['params'];
  /** ISO-8601. */
  deadline: string;
  /** `none`: answered without running (an abort of an unknown action, an unusable command). */
  backend: DriverBackend | 'none';
  status: DriverActionStatus;
  handle: BackendHandle | null;
  finalEvent: DriverEventV1 | null;
  finalPublished: boolean;
  owner: string | null;
  abortRequested: boolean;
  forceCompleteRequested: boolean;
}

export const FINAL_STATUSES = ['succeeded', 'failed', 'aborted'] as const;

export function isFinal(event: Pick<DriverEventV1, 'status'>): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(event.status);
}

export function keyOf(k: ActionKey): string {
  return `${k.actionId}#${k.attempt}`;
}

/** The action as backends take it; the record was validated when it was accepted. */
export function actionOf(record: DriverActionRecord): BackendAction {
  return {
    actionId: record.actionId,
    attempt: record.attempt,
    type: record.type,
    params: record.params,
    deadline: record.deadline,
  } as BackendAction;
}
