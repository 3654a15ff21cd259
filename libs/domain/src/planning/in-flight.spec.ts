import type { PlanState } from '@reflex/contracts/plan.v1';
import { InventoryView } from '../inventory/inventory-view';
import type { ExecutablePlan } from '../lifecycle/lifecycle.types';
import { planFromDraft } from '../lifecycle/plan-factory';
import {
  NOW,
  PLANNING,
  group,
  host,
  intent,
  inventory,
  member,
  sequentialIds,
  vm,
} from '../testing/topology.fixture';
import { inFlightFromPlans, LivePromises, promisedView } from './in-flight';
import { buildPlan } from './plan-builder';

// Two N+1 groups over eight hosts, a plain VM on every host: failovers promote and fence, drains move.
const inv = new InventoryView(
  inventory(
    ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'].map((id) => host(id)),
    [
      member('web-1', 'h1', 'web', 'active'),
      member('web-2', 'h2', 'web', 'active'),
      member('web-s', 'h3', 'web', 'standby'),
      member('db-1', 'h2', 'db', 'active'),
      member('db-s', 'h4', 'db', 'standby'),
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'].map((h) => vm(`vm-${h}`, h)),
    ],
    [group('web', { active: 2, standby: 1 }), group('db', { active: 1, standby: 1 })],
  ),
);

const hosts = inv.hosts().map((h) => h.id);
const instances = inv.instances().map((i) => i.id);

/** What a projection answers for every host and instance. */
const seen = (view: InventoryView) => ({
  hosts: hosts.map((id) => view.host(id)?.status),
  roles: instances.map((id) => view.instance(id)?.role),
});

/** Each plan made against the promises of the ones before it, as a planning batch makes them. */
function storm(): ExecutablePlan[] {
  const made: ExecutablePlan[] = [];
  const steps: Array<[Parameters<typeof intent>[0], string, PlanState]> = [
    ['host-failover', 'h1', 'running'],
    ['host-drain', 'h5', 'running'],
    ['host-failover', 'h2', 'pending'],
    ['host-drain', 'h6', 'succeeded'],
    ['host-failover', 'h7', 'rolling_back'],
  ];
  for (const [policy, hostId, state] of steps) {
    const draft = buildPlan(
      intent(policy, { kind: 'host', id: hostId }),
      promisedView(inv, made),
      inFlightFromPlans(made, inv),
      PLANNING,
      sequentialIds(hostId),
    );
    made.push({ ...planFromDraft(draft, NOW).plan, state });
  }
  return made;
}

describe('LivePromises', () => {
  const plans = storm();

  it('answers as promisedView and inFlightFromPlans do after every plan that joins', () => {
    const live = new LivePromises();
    for (let n = 0; n <= plans.length; n++) {
      const before = plans.slice(0, n);
      expect(seen(live.promised(inv))).toEqual(seen(promisedView(inv, before)));
      expect(live.inFlight(inv)).toEqual(inFlightFromPlans(before, inv));
      if (n < plans.length) live.add(plans[n]);
    }
    // The storm promises something to check: fences, promotions, moves and drains.
    const all = promisedView(inv, plans);
    expect(seen(all).hosts).toContain('down');
    expect(all.instance('web-s')?.role).toBe('active');
    expect(inFlightFromPlans(plans, inv).reservations.length).toBeGreaterThan(2);
    expect(inFlightFromPlans(plans, inv).drainingHosts).toEqual([
      { hostId: 'h5', planId: plans[1].id },
    ]);
  });

  it('counts reservations again over a new view of the inventory', () => {
    const live = new LivePromises(plans);
    const moved = inv.inventory.instances.map((i) =>
      i.id === 'vm-h5' ? { ...i, resources: { ...i.resources, vcpus: i.resources.vcpus + 1 } } : i,
    );
    const later = new InventoryView({ ...inv.inventory, instances: moved });
    expect(live.inFlight(inv)).toEqual(inFlightFromPlans(plans, inv));
    expect(live.inFlight(later)).toEqual(inFlightFromPlans(plans, later));
    expect(live.inFlight(later)).not.toEqual(live.inFlight(inv));
  });

  it('never changes a view it handed out when a later plan joins', () => {
    const live = new LivePromises(plans.slice(0, 1));
    const early = live.promised(inv);
    const answer = seen(early);
    for (const plan of plans.slice(1)) live.add(plan);
    expect(seen(early)).toEqual(answer);
    expect(seen(live.promised(inv))).not.toEqual(answer);
  });
});
