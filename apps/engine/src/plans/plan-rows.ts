import type { ResourceKind } from '@reflex/contracts/alarm.v1';
import type {
  ActionParams,
  ActionState,
  ActionType,
  ActionV1,
  OnFailure,
  PlanMode,
  PlanState,
  Policy,
} from '@reflex/contracts/plan.v1';
import type { ExecutablePlan, PlanTimelineEvent } from '@reflex/domain';

/** Rows as `pg` returns them for the column lists below, and their mapping to the domain types. */

export interface PlanRow {
  id: string;
  state: PlanState;
  policy: Policy;
  mode: PlanMode;
  target_kind: ResourceKind;
  target_id: string;
  trigger_alarm_id: string;
  trigger_source: string;
  trigger_rule: string;
  trigger_rule_version: number;
  trigger_rule_hash: string;
  reason: string | null;
  explanation: unknown;
  on_failure: OnFailure;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  superseded_by: string | null;
}

export interface ActionRow {
  id: string;
  plan_id: string;
  seq: number;
  type: ActionType;
  params: ActionParams;
  depends_on: string[];
  state: ActionState;
  attempts: number;
  progress: number;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  compensation_for: string | null;
  unusable_host_ids: string[];
  created_at: Date;
}

export interface PlanEventRow {
  id: string;
  plan_id: string;
  action_id: string | null;
  at: Date;
  type: PlanTimelineEvent['type'];
  from_state: string | null;
  to_state: string | null;
  detail: Record<string, unknown> | null;
}

const PLAN_COLUMNS_BUT_EXPLANATION = `p.id, p.state, p.policy, p.mode, p.target_kind, p.target_id,
  p.trigger_alarm_id, p.trigger_source, p.trigger_rule, p.trigger_rule_version,
  p.trigger_rule_hash, p.reason, p.on_failure, p.created_at, p.started_at, p.finished_at,
  p.superseded_by`;

export const PLAN_COLUMNS = `${PLAN_COLUMNS_BUT_EXPLANATION}, p.explanation`;

/** For reads that never look at the why (planning against the live plans): it is the bulk of a row. */
export const PLAN_COLUMNS_WITHOUT_EXPLANATION = `${PLAN_COLUMNS_BUT_EXPLANATION}, NULL AS explanation`;

export const ACTION_COLUMNS = `a.id, a.plan_id, a.seq, a.type, a.params, a.depends_on, a.state,
  a.attempts, a.progress, a.started_at, a.finished_at, a.error, a.compensation_for,
  a.unusable_host_ids, a.created_at`;

/** Plan states in which a plan still owns what it holds (as `LIVE_PLAN_STATES` of persistence). */
export const LIVE_STATES_SQL = `('pending_approval', 'pending', 'running', 'rolling_back')`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/**
 * A trigger as stored: the contract's fields plus the hash of the exact rule text (CONTRACT §5:
 * every plan records the rule name, version and hash), an additive field.
 */
export interface StoredTrigger {
  alarmId: string;
  source: string;
  rule: string;
  ruleVersion: number | string;
  ruleHash?: string;
}

export function toAction(row: ActionRow): ActionV1 {
  return {
    id: row.id,
    planId: row.plan_id,
    seq: row.seq,
    type: row.type,
    params: row.params,
    dependsOn: row.depends_on,
    state: row.state,
    attempts: row.attempts,
    progress: row.progress,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    error: row.error,
    compensationFor: row.compensation_for,
    // Only moves that were re-placed carry it, so every other action keeps the contract's shape.
    ...(row.unusable_host_ids?.length ? { unusableHostIds: row.unusable_host_ids } : {}),
  };
}

export function toPlan(row: PlanRow, actions: readonly ActionV1[]): ExecutablePlan {
  const trigger: StoredTrigger = {
    alarmId: row.trigger_alarm_id,
    source: row.trigger_source,
    rule: row.trigger_rule,
    ruleVersion: row.trigger_rule_version,
    ruleHash: row.trigger_rule_hash,
  };
  return {
    id: row.id,
    state: row.state,
    policy: row.policy,
    mode: row.mode,
    onFailure: row.on_failure,
    target: { kind: row.target_kind, id: row.target_id },
    trigger,
    reason: row.reason,
    explanation: row.explanation,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    supersededBy: row.superseded_by,
    actions: [...actions],
  };
}

export interface TimelineEntry extends PlanTimelineEvent {
  /** Orders the timeline even when two entries share `at`. */
  id: string;
}

export function toTimelineEntry(row: PlanEventRow): TimelineEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    planId: row.plan_id,
    actionId: row.action_id,
    type: row.type,
    from: row.from_state,
    to: row.to_state,
    detail: row.detail ?? {},
  };
}

/**
 * Every host an action involves (source, destination, the host itself, and the destinations a
 * re-placed move was meant for), for `?host=`.
 */
export function hostIdsOf(action: ActionV1): string[] {
  const params = action.params as unknown as Record<string, unknown>;
  const ids = ['fromHostId', 'toHostId', 'hostId']
    .map((key) => params[key])
    .filter((value): value is string => typeof value === 'string');
  return [...new Set([...ids, ...(action.unusableHostIds ?? [])])];
}

/** Groups actions by plan, keeping their order. */
export function byPlan(rows: readonly ActionRow[]): Map<string, ActionV1[]> {
  const map = new Map<string, ActionV1[]>();
  for (const row of rows) {
    const list = map.get(row.plan_id) ?? [];
    list.push(toAction(row));
    map.set(row.plan_id, list);
  }
  return map;
}
