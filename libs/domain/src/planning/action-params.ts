import type { ActionParamsByType, ActionType, ActionV1 } from '@reflex/contracts/plan.v1';

/** The run-time fields of an action not started yet: every new action, forward or undo, has them. */
export const NOT_STARTED = {
  state: 'pending',
  attempts: 0,
  progress: 0,
  startedAt: null,
  finishedAt: null,
  error: null,
} as const satisfies Partial<ActionV1>;

/** Narrows an action to its type, so its params are typed without casts at each call site. */
export function isAction<T extends ActionType>(action: ActionV1, type: T): action is ActionV1<T> {
  return action.type === type;
}

export function isMove(
  action: ActionV1,
): action is ActionV1<'live-migrate' | 'cold-migrate' | 'evacuate'> {
  return (
    action.type === 'live-migrate' || action.type === 'cold-migrate' || action.type === 'evacuate'
  );
}

export type MoveType = 'live-migrate' | 'cold-migrate' | 'evacuate';
export type ParamsOf<T extends ActionType> = ActionParamsByType[T];
