import type { AlarmV1 } from '@reflex/contracts';
import type { IngestAlarmResult } from './ingest-alarm.command';
import type { ClosestMiss, Evaluation } from '@reflex/rules';
import type { DecisionUpdate } from './alarm.repository';
import type { BatchInventory } from './batch-inventory';
import type { OpenAlarms } from './open-alarms';
import type { RecentHostDowns } from './recent-host-downs';
import type { RecentPlans } from './recent-plans';

// The decisions that need no rule evaluation or plan, as plain functions of the batch's view.

/** `planState`: the state of the plan the decision made (or `waiting`, `merged`), when it made one. */
export type Decision = DecisionUpdate & {
  reason: string | null;
  planState?: string;
  closest?: ClosestMiss;
};

/** What deciding one alarm of a batch reads besides the database: the batch's view of it. */
export interface BatchView {
  open: OpenAlarms;
  inventory: BatchInventory;
  recentDowns: RecentHostDowns;
  recentPlans: RecentPlans;
}

/**
 * Nothing fired. `no-rule`: no rule is written for this alarm type, so the operator has a rule to
 * write. `conditions-failed`: rules are written for it and all were held back, so the operator has
 * a condition to read: the closest rule's failing condition leads the reason, the others follow.
 */
export function noRuleApplied(alarm: AlarmV1, evaluation: Evaluation): Decision {
  const summary = { fired: [], whyNot: evaluation.whyNot };
  const closest = evaluation.closest;
  if (!closest) {
    const reason = `no rule is written for alarm type ${alarm.type}`;
    return { disposition: 'no-rule', reason, decision: { reason, ...summary } };
  }
  const others = evaluation.whyNot.filter((w) => w.rule.name !== closest.rule.name);
  const failing = closest.failed.map((f) => `${f.at} ${f.text}`).join('; ');
  const reason = [
    `closest rule ${closest.rule.name} v${closest.rule.version} did not apply: ${failing || 'its conditions did not hold'}`,
    ...others.map((w) => w.why),
  ].join('; ');
  return {
    disposition: 'conditions-failed',
    reason,
    closest,
    decision: { reason, closest, ...summary },
  };
}

/**
 * An alarm about a resource the inventory does not hold is refused with the reason (disposition
 * `rejected`), before any rule: there is nothing to act on, and a rule that fired anyway made a
 * blocked plan per alarm (a typo'd host, a producer ahead of the CMDB, or a hostile sender).
 * Kept in the audit rather than dead-lettered: it is a valid Alarm v1 (CONTRACT §3).
 */
export function unknownResource(view: BatchView, alarm: AlarmV1): Decision | null {
  if (view.inventory.holds(alarm.resource)) return null;
  const reason = `${alarm.resource.kind} ${alarm.resource.id} is not in the inventory`;
  return { disposition: 'rejected', reason, decision: { reason } };
}

/** An instance on a host that is down is the host's problem: the host's plan covers it. */
export function widerAlarm(view: BatchView, alarm: AlarmV1): Decision | null {
  if (alarm.resource.kind !== 'instance') return null;
  const instance = view.inventory.instance(alarm.resource.id);
  if (!instance) return null;
  const hostDown = view.open.oldestOn('host.down', instance.hostId);
  if (!hostDown) return null;
  const reason = `host ${instance.hostId} is down (alarm ${hostDown.source}/${hostDown.alarmId}); its plan covers ${alarm.resource.id}`;
  return {
    disposition: 'correlated',
    correlatedTo: hostDown.rowId,
    planId: hostDown.planId,
    reason,
    decision: { reason },
  };
}

/** The answer intake gives for an alarm: what was decided now, or, for a replay, then. */
export function toResult(
  alarm: AlarmV1,
  d: Omit<Decision, 'decision'>,
  replay: boolean,
): IngestAlarmResult {
  return {
    id: alarm.id,
    source: alarm.source,
    disposition: d.disposition,
    planId: d.planId ?? null,
    correlatedTo: d.correlatedTo ?? null,
    reason: d.reason,
    ...(d.planState === undefined ? {} : { planState: d.planState }),
    ...(d.closest === undefined ? {} : { closest: d.closest }),
    replay,
  };
}
