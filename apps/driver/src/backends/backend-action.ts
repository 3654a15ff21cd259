import { ValidationError, type FieldError } from '@reflex/common';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import { ACTION_TYPES, type ActionParamsByType, type ActionType } from '@reflex/contracts/plan.v1';
import type { BackendAction } from './backend.port';

const REQUIRED_PARAMS: { [T in ActionType]: (keyof ActionParamsByType[T] & string)[] } = {
  'live-migrate': ['instanceId', 'fromHostId', 'toHostId'],
  'cold-migrate': ['instanceId', 'fromHostId', 'toHostId'],
  evacuate: ['instanceId', 'fromHostId', 'toHostId'],
  'switch-over': ['groupId', 'fromInstanceId', 'toInstanceId'],
  'recover-instance': ['instanceId'],
  'set-host-status': ['hostId', 'status'],
  'fence-host': ['hostId'],
  notify: ['message', 'severity'],
};

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The command's action in the shape backends take. The engine validates commands against the JSON
 * Schema first; this re-checks what a backend relies on, because ids end up in hypervisor commands
 * and URLs.
 */
export function toBackendAction(
  command: Pick<DriverCommandV1, 'actionId' | 'attempt' | 'type' | 'params' | 'deadline'>,
): BackendAction {
  const errors: FieldError[] = [];
  if (!ACTION_TYPES.includes(command.type)) {
    throw new ValidationError(`unknown action type ${String(command.type)}`, [
      { path: '/type', message: 'must be a known action type' },
    ]);
  }
  if (!Number.isInteger(command.attempt) || command.attempt < 1) {
    errors.push({ path: '/attempt', message: 'must be an integer >= 1' });
  }
  if (typeof command.deadline !== 'string' || Number.isNaN(Date.parse(command.deadline))) {
    errors.push({ path: '/deadline', message: 'must be an ISO-8601 date-time' });
  }
  const params = (command.params ?? {}) as unknown as Record<string, unknown>;
  for (const name of REQUIRED_PARAMS[command.type] as string[]) {
    const value = params[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
      errors.push({ path: `/params/${name}`, message: 'must be a non-empty string' });
    } else if (name !== 'message' && CONTROL.test(value)) {
      errors.push({ path: `/params/${name}`, message: 'must not contain control characters' });
    }
  }
  if (errors.length > 0) throw new ValidationError('invalid driver command', errors);
  return {
    actionId: command.actionId,
    attempt: command.attempt,
    type: command.type,
    params: command.params,
    deadline: command.deadline,
  } as BackendAction;
}

/** The hosts an action touches, for choosing its backend by `host.driver` and matching faults. */
export function hostsOf(action: BackendAction): string[] {
  switch (action.type) {
    case 'live-migrate':
    case 'cold-migrate':
    case 'evacuate':
      return [action.params.fromHostId, action.params.toHostId];
    case 'set-host-status':
    case 'fence-host':
      return [action.params.hostId];
    default:
      return [];
  }
}

/** The instances an action touches. */
export function instancesOf(action: BackendAction): string[] {
  switch (action.type) {
    case 'live-migrate':
    case 'cold-migrate':
    case 'evacuate':
    case 'recover-instance':
      return [action.params.instanceId];
    case 'switch-over':
      return [action.params.fromInstanceId, action.params.toInstanceId];
    default:
      return [];
  }
}
