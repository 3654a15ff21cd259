import type { PlanDraft } from '../planning/plan-intent';
import type { ExecutablePlan, PlanTimelineEvent } from './lifecycle.types';

/** Stamps a draft with its creation time: the plan to store and the first line of its timeline. */
export function planFromDraft(
  draft: PlanDraft,
  now: string,
): { plan: ExecutablePlan; events: PlanTimelineEvent[] } {
  // CONTRACT §9: a blocked plan always says why, even if a policy refused without words.
  const reason =
    draft.state === 'blocked' && !draft.reason ? 'blocked: no safe plan was found' : draft.reason;
  const plan: ExecutablePlan = {
    id: draft.id,
    state: draft.state,
    policy: draft.policy,
    mode: draft.mode,
    onFailure: draft.onFailure,
    target: { ...draft.target },
    trigger: { ...draft.trigger },
    reason,
    explanation: draft.explanation,
    createdAt: now,
    startedAt: null,
    finishedAt: draft.state === 'blocked' ? now : null,
    supersededBy: null,
    actions: draft.actions.map((a) => ({ ...a, dependsOn: [...a.dependsOn] })),
  };
  const events: PlanTimelineEvent[] = [
    {
      at: now,
      planId: draft.id,
      actionId: null,
      type: 'plan.state',
      from: null,
      to: draft.state,
      detail: { reason, actions: draft.actions.length, trigger: draft.trigger },
    },
  ];
  return { plan, events };
}
