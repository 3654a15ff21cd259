import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import { FINAL_PLAN_STATES, type ActionV1, type PlanV1 } from '@reflex/contracts/plan.v1';
import { InventoryView } from '../inventory/inventory-view';
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
