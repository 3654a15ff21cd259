import type { HostStatus, InstanceRole, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { FINAL_PLAN_STATES, type ActionV1, type PlanV1 } from '@reflex/contracts/plan.v1';
import { InventoryView } from '../inventory/inventory-view';
import { ProjectedView } from '../inventory/projected-view';
import { inventoryEffects } from '../lifecycle/inventory-effects';
import type { Reservation } from '../placement/placement.types';
import { isMove } from './action-params';
import type { InFlight } from './plan-intent';

export const isLivePlan = (plan: Pick<PlanV1, 'state'>): boolean =>
  !FINAL_PLAN_STATES.includes(plan.state);

const unfinished = (a: ActionV1) => a.state === 'pending' || a.state === 'running';

/**
 * What live plans have promised: a reservation for every move that has not finished yet (a finished
 * one is already in the inventory), and the hosts being emptied by drains and migrate-offs.
 */
export function inFlightFromPlans(
  plans: readonly PlanV1[],
  inventory: InventoryV1 | InventoryView,
): InFlight {
  const view = inventory instanceof InventoryView ? inventory : new InventoryView(inventory);
  const live = plans.filter(isLivePlan);
  const reservations: Reservation[] = [];
  for (const plan of live) {
    for (const action of plan.actions) {
      if (!isMove(action) || !unfinished(action)) continue;
      const instance = view.instance(action.params.instanceId);
      if (!instance) continue;
      reservations.push({
        planId: plan.id,
        hostId: action.params.toHostId,
        vcpus: instance.resources.vcpus,
        memoryMb: instance.resources.memoryMb,
        instanceId: instance.id,
        groupId: instance.groupId ?? null,
      });
    }
  }
  const drainingHosts = live
    .filter(
      (p) => (p.policy === 'host-drain' || p.policy === 'migrate-off') && p.target.kind === 'host',
    )
    .map((p) => ({ hostId: p.target.id, planId: p.id }));
  return { reservations, drainingHosts };
}

/**
 * Whether a live plan is still going to run the action: one of its forward actions, or, once it
 * rolls back, only its undo (the forward actions still pending will be skipped).
 */
const stillToRun = (plan: PlanV1, action: ActionV1): boolean =>
  unfinished(action) && (action.compensationFor !== null) === (plan.state === 'rolling_back');

/**
 * The inventory as the live plans will leave it (CONTRACT §9, failovers in parallel): the standbys
 * they promote are active, the members they demote are standbys, and the hosts they fence or take
 * out of service are down or out of service. A failover planned beside other failovers of the same
 * groups plans against this, so it never promotes a standby another plan has already promised, nor
 * places on a host another plan is fencing. Moves are not projected: the reservations count them.
 * A host brought back up is not projected either: it takes no placement before it is up for real.
 */
export function promisedView(view: InventoryView, plans: readonly PlanV1[]): InventoryView {
  const hostStatus = new Map<string, HostStatus>();
  const roles = new Map<string, InstanceRole>();
  // Every live plan's every action is looked at for every decision: the cheap tests come first.
  for (const plan of plans) {
    if (!isLivePlan(plan)) continue;
    for (const action of plan.actions) {
      if (
        action.type !== 'switch-over' &&
        action.type !== 'fence-host' &&
        action.type !== 'set-host-status'
      ) {
        continue;
      }
      if (!stillToRun(plan, action)) continue;
      for (const change of inventoryEffects(action)) {
        if (change.kind === 'instance' && change.set.role) roles.set(change.id, change.set.role);
        if (change.kind === 'host' && change.set.status && change.set.status !== 'up') {
          hostStatus.set(change.id, change.set.status);
        }
      }
    }
  }
  return ProjectedView.over(view, { hostStatus, roles });
}
