import { randomUUID } from 'node:crypto';
import { commandParams } from '@reflex/contracts';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import type { PlanEventV1, PlanState } from '@reflex/contracts/plan.v1';
import { Topic } from '@reflex/contracts/topics';
import type { ExecutablePlan, PlanTimelineEvent } from '@reflex/domain';
import type { OutboxMessage } from '@reflex/persistence';
import { actionsMentioned } from '../plans/timeline-names';

/** The reason field of Plan event v1 is bounded (4096 characters). */
const MAX_REASON = 4096;

/**
 * A driver command on `driver.commands`, keyed by action id so one action's commands stay in order.
 * Its params are the contract's for the type only: what the plan keeps besides (set-host-status's
 * `previousStatus`) would make the driver refuse the command.
 */
export function commandMessage(command: DriverCommandV1): OutboxMessage {
  const value: DriverCommandV1 = {
    ...command,
    params: commandParams(command.type, command.params),
  };
  return { topic: Topic.DriverCommands, key: command.actionId, value };
}

/** A notifier reading `failed: [id]` learns nothing: the actions named beside their ids. */
function withNames(detail: Record<string, unknown>, plan: ExecutablePlan): Record<string, unknown> {
  const actions = actionsMentioned(detail, plan.actions);
  return Object.keys(actions).length > 0 ? { ...detail, actions } : detail;
}

/** Plan event v1 on `plans` for every plan state change of a step, keyed by plan id. */
export function planEventMessages(
  plan: ExecutablePlan,
  events: readonly PlanTimelineEvent[],
): OutboxMessage[] {
  return events
    .filter((event) => event.type === 'plan.state' && event.to !== null)
    .map((event) => {
      const value: PlanEventV1 = {
        eventId: randomUUID(),
        planId: plan.id,
        state: event.to as PlanState,
        previousState: event.from as PlanState | null,
        policy: plan.policy,
        mode: plan.mode,
        target: { ...plan.target },
        trigger: { ...plan.trigger },
        reason: plan.reason === null ? null : plan.reason.slice(0, MAX_REASON),
        at: event.at,
        detail: withNames(event.detail, plan),
      };
      return { topic: Topic.Plans, key: plan.id, value };
    });
}
