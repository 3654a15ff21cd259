import type { HostStatus, InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { ActionParamsByType, ActionType, ActionV1 } from '@reflex/contracts/plan.v1';
import type { InventoryView } from '../inventory/inventory-view';
import { NOT_STARTED } from './action-params';
import type { PlacementSolver } from '../placement/placement-solver';
import type { PlacementResult } from '../placement/placement.types';
import type { InFlight, PlanIntent, SetHostStatusStep } from './plan-intent';

/** A policy either fills the context with actions or refuses with a reason. */
export type PolicyOutcome = { blocked: string } | undefined;
export type PlanPolicy = (ctx: PlanContext) => PolicyOutcome;

/**
 * The scratchpad a policy writes its plan on: actions in order, placements, notes and checks.
 * Everything deterministic: ids come from the injected generator, in the order actions are added.
 */
export class PlanContext {
  readonly actions: ActionV1[] = [];
  readonly placements: PlacementResult[] = [];
  readonly notes: string[] = [];
  readonly checks: string[] = [];

  constructor(
    readonly planId: string,
    readonly intent: PlanIntent,
    readonly view: InventoryView,
    readonly solver: PlacementSolver,
    readonly inFlight: InFlight,
    private readonly ids: () => string,
  ) {}

  add<T extends ActionType>(
    type: T,
    params: ActionParamsByType[T],
    dependsOn: readonly (ActionV1 | undefined)[] = [],
  ): ActionV1<T> {
    const action: ActionV1<T> = {
      id: this.ids(),
      planId: this.planId,
      seq: this.actions.length + 1,
      type,
      params,
      dependsOn: dependsOn.flatMap((d) => (d ? [d.id] : [])),
      ...NOT_STARTED,
      compensationFor: null,
    };
    this.actions.push(action);
    return action;
  }

  setHostStatus(
    hostId: string,
    status: SetHostStatusStep['status'],
    previousStatus: HostStatus,
    dependsOn: readonly (ActionV1 | undefined)[] = [],
  ): ActionV1<'set-host-status'> {
    const params: SetHostStatusStep = { hostId, status, previousStatus };
    return this.add('set-host-status', params, dependsOn);
  }

  /** Places the instance (recording the decision for the audit) away from draining hosts. */
  place(instanceId: string, excludeHostIds: readonly string[] = []): PlacementResult {
    const draining = (this.inFlight.drainingHosts ?? []).map((d) => d.hostId);
    const result = this.solver.place({
      instanceId,
      excludeHostIds: [...excludeHostIds, ...draining],
    });
    this.placements.push(result);
    return result;
  }

  note(message: string): void {
    this.notes.push(message);
  }

  check(message: string): void {
    this.checks.push(message);
  }

  param(name: string): unknown {
    return this.intent.params?.[name];
  }

  flag(name: string, fallback = false): boolean {
    const value = this.param(name);
    return typeof value === 'boolean' ? value : fallback;
  }

  /**
   * A healthy standby to promote: running on an `up` host outside `avoidHostIds`, not yet promoted
   * by this plan. Lowest id first, for determinism.
   */
  standbyFor(active: InstanceV1, avoidHostIds: readonly string[], taken: Set<string>) {
    if (!active.groupId) return undefined;
    return this.view
      .members(active.groupId)
      .find(
        (m) =>
          m.id !== active.id &&
          m.role === 'standby' &&
          this.view.isHealthy(m) &&
          !avoidHostIds.includes(m.hostId) &&
          !taken.has(m.id),
      );
  }
}
