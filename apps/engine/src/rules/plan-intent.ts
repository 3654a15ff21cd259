import type { AlarmV1 } from '@reflex/contracts';
import type { PlanIntent } from '@reflex/domain';
import type { RuleIntent } from '@reflex/rules';

/** What the planner is asked for once a rule decided: the same for a real alarm and a dry run. */
export function toPlanIntent(intent: RuleIntent, alarm: AlarmV1): PlanIntent {
  return {
    policy: intent.policy,
    target: intent.target,
    mode: intent.mode,
    onFailure: intent.onFailure,
    rule: intent.rule,
    alarm: { id: alarm.id, source: alarm.source, type: alarm.type },
    params: intent.params,
    explanation: {
      reason: intent.reason,
      conditions: intent.explanation,
      passedOver: intent.passedOver,
    },
  };
}
