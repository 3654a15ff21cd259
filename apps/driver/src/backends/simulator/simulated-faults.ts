import { ValidationError, type FieldError } from '@reflex/common';
import { ACTION_TYPES, type ActionType } from '@reflex/contracts/plan.v1';
import { hostsOf, instancesOf } from '../backend-action';
import type { BackendAction } from '../backend.port';
import type { SimFault, SimFaultEffect, SimState } from './simulator.state';

const EFFECTS: readonly SimFaultEffect[] = ['fail', 'hang', 'slow'];

/** The body `parseFault` accepts, for the OpenAPI document. */
export const FAULT_SCHEMA = {
  type: 'object' as const,
  required: ['action', 'effect'],
  additionalProperties: false,
  properties: {
    action: {
      type: 'string' as const,
      enum: [...ACTION_TYPES],
      description: 'the action type to fault',
    },
    effect: {
      type: 'string' as const,
      enum: [...EFFECTS],
      description:
        'fail: the operation fails; hang: it never finishes (until aborted); slow: it progresses at a tenth of its speed',
    },
    instanceId: {
      type: 'string' as const,
      minLength: 1,
      description: 'only calls on this instance',
    },
    hostId: { type: 'string' as const, minLength: 1, description: 'only calls on this host' },
    count: {
      type: 'integer' as const,
      minimum: 1,
      maximum: 1_000_000,
      default: 1,
      description: 'how many matching calls it affects',
    },
  },
};

/** Validates a `POST /v1/sim/faults` body (CONTRACT §7); `count` defaults to 1. */
export function parseFault(body: unknown): SimFault {
  const errors: FieldError[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('fault must be an object', [{ path: '', message: 'must be object' }]);
  }
  const b = body as Record<string, unknown>;
  const known = new Set(['action', 'instanceId', 'hostId', 'effect', 'count']);
  for (const key of Object.keys(b)) {
    if (!known.has(key)) errors.push({ path: `/${key}`, message: 'unknown field' });
  }
  if (!ACTION_TYPES.includes(b.action as ActionType)) {
    errors.push({ path: '/action', message: `must be one of ${ACTION_TYPES.join(', ')}` });
  }
  if (!EFFECTS.includes(b.effect as SimFaultEffect)) {
    errors.push({ path: '/effect', message: `must be one of ${EFFECTS.join(', ')}` });
  }
  for (const key of ['instanceId', 'hostId'] as const) {
    if (b[key] !== undefined && (typeof b[key] !== 'string' || b[key] === '')) {
      errors.push({ path: `/${key}`, message: 'must be a non-empty string' });
    }
  }
  const count = b.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1_000_000) {
    errors.push({ path: '/count', message: 'must be an integer >= 1' });
  }
  if (errors.length > 0) throw new ValidationError('invalid fault', errors);
  const fault: SimFault = {
    action: b.action as ActionType,
    effect: b.effect as SimFaultEffect,
    count: count as number,
  };
  if (typeof b.instanceId === 'string') fault.instanceId = b.instanceId;
  if (typeof b.hostId === 'string') fault.hostId = b.hostId;
  return fault;
}

function matches(fault: SimFault, action: BackendAction): boolean {
  if (fault.action !== action.type) return false;
  if (fault.instanceId !== undefined && !instancesOf(action).includes(fault.instanceId)) {
    return false;
  }
  return fault.hostId === undefined || hostsOf(action).includes(fault.hostId);
}

/**
 * The first fault matching a new operation, with its count decremented (and removed at zero).
 * Only calls that would act on the cloud consume a fault; a repeated start does not.
 */
export function takeFault(state: SimState, action: BackendAction): SimFaultEffect | null {
  const index = state.faults.findIndex((f) => matches(f, action));
  if (index < 0) return null;
  const fault = state.faults[index];
  fault.count -= 1;
  if (fault.count <= 0) state.faults.splice(index, 1);
  return fault.effect;
}
