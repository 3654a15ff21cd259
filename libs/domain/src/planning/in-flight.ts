import type { HostStatus, InstanceRole, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { FINAL_PLAN_STATES, type ActionV1, type PlanV1 } from '@reflex/contracts/plan.v1';
import { InventoryView } from '../inventory/inventory-view';
import { ProjectedView } from '../inventory/projected-view';
import { VersionedMap } from '../inventory/versioned-map';
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
  const inFlight: Counted = { reservations: [], drainingHosts: [] };
  for (const plan of plans) addInFlight(inFlight, plan, view);
  return inFlight;
}

interface Counted {
  reservations: Reservation[];
  drainingHosts: Array<{ hostId: string; planId: string }>;
}

/** `plan`'s part of `inFlightFromPlans`, appended to `into`. */
function addInFlight(into: Counted, plan: PlanV1, view: InventoryView): void {
  if (!isLivePlan(plan)) return;
  for (const action of plan.actions) {
    if (!isMove(action) || !unfinished(action)) continue;
    const instance = view.instance(action.params.instanceId);
    if (!instance) continue;
    into.reservations.push({
      planId: plan.id,
      hostId: action.params.toHostId,
      vcpus: instance.resources.vcpus,
      memoryMb: instance.resources.memoryMb,
      instanceId: instance.id,
      groupId: instance.groupId ?? null,
    });
  }
  if (
    (plan.policy === 'host-drain' || plan.policy === 'migrate-off') &&
    plan.target.kind === 'host'
  ) {
    into.drainingHosts.push({ hostId: plan.target.id, planId: plan.id });
  }
}

/**
 * Whether a live plan is still going to run the action: one of its forward actions, or, once it
 * rolls back, only its undo (the forward actions still pending will be skipped).
 */
const stillToRun = (plan: PlanV1, action: ActionV1): boolean =>
  unfinished(action) && (action.compensationFor !== null) === (plan.state === 'rolling_back');

interface Promises {
  hostStatus: VersionedMap<string, HostStatus>;
  roles: VersionedMap<string, InstanceRole>;
}

/** `plan`'s promotions, demotions and fences, laid over what the plans before it promised. */
function addPromises(into: Promises, plan: PlanV1): void {
  if (!isLivePlan(plan)) return;
  // Every live plan's every action is looked at: the cheap tests come first.
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
      if (change.kind === 'instance' && change.set.role) into.roles.set(change.id, change.set.role);
      if (change.kind === 'host' && change.set.status && change.set.status !== 'up') {
        into.hostStatus.set(change.id, change.set.status);
      }
    }
  }
}

/**
 * The inventory as the live plans will leave it (CONTRACT §9, failovers in parallel): the standbys
 * they promote are active, the members they demote are standbys, and the hosts they fence or take
 * out of service are down or out of service. A failover planned beside other failovers of the same
 * groups plans against this, so it never promotes a standby another plan has already promised, nor
 * places on a host another plan is fencing. Moves are not projected: the reservations count them.
 * A host brought back up is not projected either: it takes no placement before it is up for real.
 */
export function promisedView(view: InventoryView, plans: readonly PlanV1[]): InventoryView {
  return new LivePromises(plans).promised(view);
}

/**
 * `promisedView` and `inFlightFromPlans` over live plans that grow one plan at a time (a planning
 * batch's, each decision planned against the plans before it): a plan's promises are worked out
 * once, when it joins, rather than again for every later decision. The same answers as the two
 * functions over the same plans in the same order; a plan that changes or leaves means a new one.
 */
export class LivePromises {
  private readonly plans: PlanV1[] = [];
  private readonly promises: Promises = {
    hostStatus: new VersionedMap(),
    roles: new VersionedMap(),
  };
  /** Reservations depend on the view (an instance's size): counted again when it changes. */
  private inFlightOn: { view: InventoryView; counted: number; inFlight: Counted } | null = null;

  constructor(plans: readonly PlanV1[] = []) {
    for (const plan of plans) this.add(plan);
  }

  add(plan: PlanV1): void {
    this.plans.push(plan);
    addPromises(this.promises, plan);
  }

  promised(view: InventoryView): InventoryView {
    // Snapshots: a view handed out must not change when a later plan joins.
    return ProjectedView.over(view, {
      hostStatus: this.promises.hostStatus.snapshot(),
      roles: this.promises.roles.snapshot(),
    });
  }

  inFlight(view: InventoryView): InFlight {
    if (this.inFlightOn?.view !== view) {
      this.inFlightOn = { view, counted: 0, inFlight: { reservations: [], drainingHosts: [] } };
    }
    const on = this.inFlightOn;
    for (; on.counted < this.plans.length; on.counted++) {
      addInFlight(on.inFlight, this.plans[on.counted], view);
    }
    return {
      reservations: [...on.inFlight.reservations],
      drainingHosts: [...on.inFlight.drainingHosts],
    };
  }
}
