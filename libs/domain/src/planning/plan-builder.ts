import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { Policy } from '@reflex/contracts/plan.v1';
import { InventoryView } from '../inventory/inventory-view';
import { PlacementSolver } from '../placement/placement-solver';
import { PlanContext, type PlanPolicy } from './plan-context';
import type { InFlight, PlanDraft, PlanIntent, PlanningConfig } from './plan-intent';
import { hostDrainPolicy } from './policies/host-drain.policy';
import { hostFailoverPolicy } from './policies/host-failover.policy';
import { hostRestorePolicy } from './policies/host-restore.policy';
import { migrateOffPolicy } from './policies/migrate-off.policy';
import { notifyPolicy } from './policies/notify.policy';
import { restoreRedundancyPolicy } from './policies/restore-redundancy.policy';
import { switchOverPolicy } from './policies/switch-over.policy';
import { planResources } from './resource-set';

const POLICY_BUILDERS: Record<Policy, PlanPolicy> = {
  'switch-over': switchOverPolicy,
  'host-failover': hostFailoverPolicy,
  'host-drain': hostDrainPolicy,
  'host-restore': hostRestorePolicy,
  'restore-redundancy': restoreRedundancyPolicy,
  'migrate-off': migrateOffPolicy,
  notify: notifyPolicy,
};

/**
 * Turns a rule's decision into a plan over one inventory snapshot. Pure: the plan id and action ids
 * come from `ids` (first call: the plan), in a fixed order, so the same inputs give the same plan.
 * A plan that cannot be made safely comes back `blocked` with no actions and the reason; its
 * explanation still carries the placements tried and the checks made. With `refused`, the plan is
 * blocked for that reason without its policy being tried (a decision planning must not take on).
 */
export function buildPlan(
  intent: PlanIntent,
  inventory: InventoryV1 | InventoryView,
  inFlight: InFlight,
  config: PlanningConfig,
  ids: () => string,
  refused: string | null = null,
): PlanDraft {
  const view = inventory instanceof InventoryView ? inventory : new InventoryView(inventory);
  const planId = ids();
  const solver = new PlacementSolver(view, config.placement, inFlight.reservations, planId);
  const ctx = new PlanContext(planId, intent, view, solver, inFlight, ids);
  const policy = POLICY_BUILDERS[intent.policy] as PlanPolicy | undefined;
  const outcome = refused
    ? { blocked: refused }
    : policy
      ? policy(ctx)
      : { blocked: `unknown policy ${String(intent.policy)}` };
  const blocked = outcome?.blocked ?? null;
  const actions = blocked ? [] : ctx.actions;
  const state = blocked ? 'blocked' : intent.mode === 'manual' ? 'pending_approval' : 'pending';
  // Why a plan waits (the storm guard's "storm guard: ..."), ahead of the planner's own notes.
  const held = state === 'pending_approval' ? approvalReason(intent) : null;
  const notes = [...(held ? [held] : []), ...ctx.notes];
  return {
    id: planId,
    policy: intent.policy,
    mode: intent.mode,
    onFailure: intent.onFailure,
    target: { ...intent.target },
    trigger: {
      alarmId: intent.alarm.id,
      source: intent.alarm.source,
      rule: intent.rule.name,
      ruleVersion: intent.rule.version,
    },
    state,
    reason: blocked ?? (notes.length ? notes.join('; ') : null),
    explanation: {
      rule: intent.rule,
      alarm: intent.alarm,
      params: intent.params ?? {},
      decision: intent.explanation ?? null,
      placements: ctx.placements,
      notes: ctx.notes,
      checks: ctx.checks,
    },
    actions,
    touches: planResources(view, intent.target, actions, true),
    holds: planResources(view, intent.target, actions, false),
    reservations: blocked ? [] : solver.reservations(),
  };
}

function approvalReason(intent: PlanIntent): string | null {
  const reason = intent.params?.approvalReason;
  return typeof reason === 'string' && reason.trim() ? reason : null;
}
