import { didYouMean, type Location, ruleError, show } from './rule-error';
import type { FactName, RuleError } from './rule.types';
import type { PathStep } from './simple-path';

/**
 * What a path may reach in each fact. `leaf`: a scalar; `open`: any key below (labels,
 * annotations, an alarm's `value`); an object: its known keys; a one-element array: the shape of
 * every item. Kept beside the fact sources' types (the spec checks it against real fact values),
 * so that `$.severty` is refused when the rule loads instead of silently never matching.
 */
export type FactShape = 'leaf' | 'open' | { [key: string]: FactShape } | [FactShape];

const CAPACITY: FactShape = { vcpus: 'leaf', memoryMb: 'leaf' };

export const FACT_SHAPES: Record<FactName, FactShape> = {
  alarm: {
    id: 'leaf',
    source: 'leaf',
    type: 'leaf',
    severity: 'leaf',
    state: 'leaf',
    resource: { kind: 'leaf', id: 'leaf' },
    occurredAt: 'leaf',
    labels: 'open',
    annotations: 'open',
    value: 'open',
  },
  host: {
    id: 'leaf',
    zone: 'leaf',
    status: 'leaf',
    hypervisor: 'leaf',
    driver: 'leaf',
    capacity: CAPACITY,
    labels: 'open',
  },
  instance: {
    id: 'leaf',
    hostId: 'leaf',
    kind: 'leaf',
    state: 'leaf',
    resources: CAPACITY,
    groupId: 'leaf',
    role: 'leaf',
    priority: 'leaf',
  },
  group: { id: 'leaf', active: 'leaf', standby: 'leaf', antiAffinity: 'leaf' },
  groupStatus: {
    healthyActive: 'leaf',
    healthyStandby: 'leaf',
    redundant: 'leaf',
    degradedSince: 'leaf',
    sharedFailureDomains: [{ kind: 'leaf', id: 'leaf', members: ['leaf'] }],
  },
  hostLoad: {
    hostId: 'leaf',
    capacity: CAPACITY,
    used: CAPACITY,
    free: CAPACITY,
    instanceCount: 'leaf',
  },
  maintenance: { hostId: 'leaf', reason: 'leaf', requestedAt: 'leaf', notBefore: 'leaf' },
  zoneLosses: {
    zone: 'leaf',
    hosts: 'leaf',
    reportedDown: 'leaf',
    reportedDownShare: 'leaf',
    reportedDownHostIds: ['leaf'],
    statusDown: 'leaf',
    windowSeconds: 'leaf',
  },
  now: { iso: 'leaf', epochMs: 'leaf', hourUtc: 'leaf', dayOfWeekUtc: 'leaf' },
};

/** The steps of `path` a fact of this shape cannot have, as an error at `at`; null when it can. */
export function checkFactPath(
  fact: FactName,
  path: string,
  steps: readonly PathStep[],
  at: Location,
): RuleError | null {
  let shape: FactShape = FACT_SHAPES[fact];
  let reached = '$';
  for (const step of steps) {
    if (shape === 'open') return null;
    if (Array.isArray(shape)) {
      if (typeof step !== 'number') {
        return ruleError(
          at,
          `${fact}${reached.slice(1)} is a list: index it with [0], not ${show(step)}`,
        );
      }
      shape = shape[0];
      reached += `[${step}]`;
      continue;
    }
    if (shape === 'leaf' || typeof step === 'number') {
      return ruleError(
        at,
        `path ${show(path)}: ${fact}${reached.slice(1)} has no ${show(step)} below it`,
      );
    }
    const known = Object.keys(shape);
    if (!Object.prototype.hasOwnProperty.call(shape, step)) {
      return ruleError(
        at,
        `path ${show(path)}: the ${fact} fact has no "${step}" at ${reached} (known: ${known.join(', ')})` +
          didYouMean(step, known),
      );
    }
    shape = shape[step];
    reached += `.${step}`;
  }
  return null;
}
