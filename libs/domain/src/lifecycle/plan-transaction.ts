import { NotFoundError } from '@reflex/common/errors';
import type { DriverCommandKind } from '@reflex/contracts/driver.v1';
import type { ActionState, ActionV1, PlanState } from '@reflex/contracts/plan.v1';
import type { InventoryChange } from './inventory-effects';
import {
  addSeconds,
  type ExecutablePlan,
  type LifecycleLimits,
  type LifecycleResult,
  type PlanTimelineEvent,
} from './lifecycle.types';
import { endReason } from './plan-reason';
import { assertActionTransition, assertPlanTransition, isFinalPlanState } from './plan-transitions';

/**
 * A working copy of one plan for one lifecycle step: every state change goes through here, so it is
 * checked against the transition tables and lands on the timeline with its time and detail.
 */
export class PlanTransaction {
  readonly plan: ExecutablePlan;
  private readonly events: PlanTimelineEvent[] = [];
  private readonly commands: LifecycleResult['commands'] = [];
  private readonly changes: InventoryChange[] = [];

  constructor(
    plan: ExecutablePlan,
    readonly now: string,
    readonly limits: LifecycleLimits,
  ) {
    this.plan = {
      ...plan,
      actions: plan.actions.map((a) => ({ ...a, dependsOn: [...a.dependsOn] })),
    };
  }

  get actions(): ActionV1[] {
    return this.plan.actions;
  }

  action(id: string): ActionV1 {
    const action = this.plan.actions.find((a) => a.id === id);
    if (!action) throw new NotFoundError('action', id);
    return action;
  }

  setPlanState(to: PlanState, detail: Record<string, unknown> = {}): void {
    const from = this.plan.state;
    assertPlanTransition(this.plan.id, from, to);
    this.plan.reason = endReason(this.plan, to);
    this.plan.state = to;
    if (to === 'running' && !this.plan.startedAt) this.plan.startedAt = this.now;
    if (isFinalPlanState(to)) this.plan.finishedAt = this.now;
    this.record({ type: 'plan.state', actionId: null, from, to, detail });
  }

  setActionState(action: ActionV1, to: ActionState, detail: Record<string, unknown> = {}): void {
    const from = action.state;
    assertActionTransition(action.id, from, to);
    action.state = to;
    if (to === 'running') {
      action.attempts += 1;
      action.startedAt = this.now;
      action.finishedAt = null;
      action.progress = 0;
      action.error = null;
    } else if (to === 'succeeded') {
      action.progress = 100;
      action.finishedAt = this.now;
    } else if (to !== 'pending' && to !== 'compensated') {
      action.finishedAt = this.now;
    }
    this.record({ type: 'action.state', actionId: action.id, from, to, detail });
  }

  addAction(action: ActionV1, detail: Record<string, unknown> = {}): void {
    this.plan.actions.push(action);
    this.record({
      type: 'action.state',
      actionId: action.id,
      from: null,
      to: action.state,
      detail,
    });
  }

  /** The time by which the driver must have finished the action's current attempt. */
  deadlineOf(action: ActionV1): string {
    return addSeconds(action.startedAt ?? this.now, this.limits.deadlineSeconds[action.type]);
  }

  send(kind: DriverCommandKind, action: ActionV1, detail: Record<string, unknown> = {}): void {
    this.commands.push({
      kind,
      actionId: action.id,
      planId: this.plan.id,
      attempt: action.attempts,
      type: action.type,
      params: action.params,
      deadline: this.deadlineOf(action),
    });
    if (kind !== 'execute') {
      this.record({ type: 'action.command', actionId: action.id, from: null, to: kind, detail });
    }
  }

  note(detail: Record<string, unknown>, actionId: string | null = null): void {
    this.record({ type: 'plan.note', actionId, from: null, to: null, detail });
  }

  inventory(changes: readonly InventoryChange[]): void {
    this.changes.push(...changes);
  }

  result(): LifecycleResult {
    return {
      plan: this.plan,
      events: this.events,
      commands: this.commands,
      inventoryChanges: this.changes,
    };
  }

  private record(event: Omit<PlanTimelineEvent, 'at' | 'planId'>): void {
    this.events.push({ at: this.now, planId: this.plan.id, ...event });
  }
}
