import { ValidationError } from '@reflex/common';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';
import type { ActionEntity, PlanEntity } from '@reflex/persistence';
import { hostIdsOf, type StoredTrigger } from './plan-rows';

/** Domain plans as the entities TypeORM inserts: the other direction of `plan-rows`. */

export const date = (iso: string | null): Date | null => (iso ? new Date(iso) : null);

function ruleVersion(version: number | string): number {
  const n = typeof version === 'number' ? version : Number(version);
  if (!Number.isSafeInteger(n)) {
    throw new ValidationError(`rule version ${String(version)} is not an integer`, [
      { path: 'rule/version', message: 'must be an integer' },
    ]);
  }
  return n;
}

export function planEntity(
  plan: ExecutablePlan,
  resources: string[],
  cell = '',
): Partial<PlanEntity> {
  const trigger = plan.trigger as StoredTrigger;
  return {
    id: plan.id,
    state: plan.state,
    policy: plan.policy,
    mode: plan.mode,
    targetKind: plan.target.kind,
    targetId: plan.target.id,
    triggerAlarmId: trigger.alarmId,
    triggerSource: trigger.source,
    triggerRule: trigger.rule,
    triggerRuleVersion: ruleVersion(trigger.ruleVersion),
    triggerRuleHash: trigger.ruleHash ?? '',
    reason: plan.reason,
    explanation: plan.explanation ?? null,
    onFailure: plan.onFailure,
    resources,
    cell,
    createdAt: new Date(plan.createdAt),
    startedAt: date(plan.startedAt),
    finishedAt: date(plan.finishedAt),
    supersededBy: null,
  };
}

export function actionEntity(
  a: ActionV1,
  createdAt: string,
  deadlines: ReadonlyMap<string, string> = new Map(),
): Partial<ActionEntity> {
  return {
    id: a.id,
    planId: a.planId,
    seq: a.seq,
    type: a.type,
    params: a.params,
    dependsOn: a.dependsOn,
    state: a.state,
    attempts: a.attempts,
    progress: a.progress,
    startedAt: date(a.startedAt),
    finishedAt: date(a.finishedAt),
    error: a.error,
    compensationFor: a.compensationFor,
    unusableHostIds: a.unusableHostIds ?? [],
    deadline: date(deadlines.get(a.id) ?? null),
    hostIds: hostIdsOf(a),
    createdAt: new Date(createdAt),
  };
}
