import fc from 'fast-check';
import type { ActionV1, MigrateParams, SwitchOverParams } from '@reflex/contracts/plan.v1';
import { FAILURE_DOMAIN_KINDS, failureDomainOf } from '../inventory/failure-domains';
import { InventoryView } from '../inventory/inventory-view';
import type { Reservation } from '../placement/placement.types';
import { cloudArb } from '../testing/random-cloud';
import { forecastCapacity } from './capacity-forecast';
import { buildPlan } from './plan-builder';
import type { InFlight, PlanningConfig } from './plan-intent';

/**
 * The forecast shares one set of placement indexes over every domain and carries one solver from
 * host to host (SharedPools, PlacementSolver.next). Held here to what a real failover does, stated
 * plainly: for each domain, its hosts down in a view of their own, then buildPlan's host-failover
 * plan for each host in turn with the in-flight reservations and those of the plans before it;
 * and the groups it leaves without a standby, asked of that view member by member.
 */
function referencePlans(view: InventoryView, inFlight: InFlight, config: PlanningConfig) {
  return FAILURE_DOMAIN_KINDS.map((kind) => {
    const domains = new Map<string, string[]>();
    for (const host of view.hosts()) {
      if (host.status === 'down') continue;
      const id = failureDomainOf(host, kind);
      domains.set(id, [...(domains.get(id) ?? []), host.id]);
    }
    return [...domains.keys()].sort().map((id) => {
      const hostIds = domains.get(id)!;
      const failed = view.withHostsDown(hostIds);
      const reservations: Reservation[] = [...inFlight.reservations];
      const actions: ActionV1[] = [];
      let n = 0;
      for (const hostId of hostIds) {
        const draft = buildPlan(
          {
            policy: 'host-failover',
            target: { kind: 'host', id: hostId },
            mode: 'auto',
            onFailure: 'continue',
            rule: { name: 'reference', version: 0, hash: '' },
            alarm: { id: 'reference', source: 'test', type: 'host.down' },
          },
          failed,
          { ...inFlight, reservations },
          config,
          () => `r-${++n}`,
        );
        reservations.push(...draft.reservations);
        actions.push(...draft.actions);
      }
      const placements = actions.flatMap((a) =>
        a.type === 'evacuate'
          ? [
              {
                instanceId: (a.params as MigrateParams).instanceId,
                hostId: (a.params as MigrateParams).toHostId,
              },
            ]
          : [],
      );
      const switchOvers = actions.flatMap((a) => (a.type === 'switch-over' ? [a.params] : []));
      // Groups on the domain wanting a standby with none healthy off it and not promoted.
      const promoted = new Set(switchOvers.map((s) => (s as SwitchOverParams).toInstanceId));
      const onDomain = hostIds.flatMap((h) => view.instancesOn(h).map((i) => i.groupId ?? []));
      const redundancyLost = [...new Set(onDomain.flat())].sort().filter((groupId) => {
        if (!(failed.group(groupId)?.standby ?? 0)) return false;
        return !failed
          .members(groupId)
          .some(
            (m) =>
              m.role === 'standby' &&
              failed.isHealthy(m) &&
              !hostIds.includes(m.hostId) &&
              !promoted.has(m.id),
          );
      });
      return { id, placements, switchOvers, redundancyLost };
    });
  });
}

/** A random cloud, in-flight moves onto its hosts and hosts being drained. */
const cloudAndInFlight = cloudArb.chain(({ inventory, config }) => {
  const hostIds = ['gone', ...inventory.hosts.map((h) => h.id)];
  const instanceIds = ['nope', ...inventory.instances.map((i) => i.id)];
  return fc.record({
    inventory: fc.constant(inventory),
    config: fc.constant<PlanningConfig>({ placement: config }),
    inFlight: fc.record({
      reservations: fc.array(
        fc.record({
          planId: fc.constant('live'),
          hostId: fc.constantFrom(...hostIds),
          instanceId: fc.constantFrom(...instanceIds),
          vcpus: fc.constantFrom(1, 4, 8),
          memoryMb: fc.constantFrom(2048, 8192),
        }),
        { maxLength: 10 },
      ),
      drainingHosts: fc
        .subarray(hostIds, { maxLength: 2 })
        .map((ids) => ids.map((hostId) => ({ hostId, planId: 'drain' }))),
    }),
  });
});

describe('forecastCapacity against plain host-failover plans', () => {
  it('places and switches over exactly as buildPlan would, domain after domain on one view', () => {
    fc.assert(
      fc.property(cloudAndInFlight, ({ inventory, config, inFlight }) => {
        // One view for every kind, as the engine's forecast worker keeps it: what one forecast
        // changes in the shared indexes must not leak into the next domain or the next kind.
        const view = new InventoryView(inventory);
        const reference = referencePlans(view, inFlight, config);
        FAILURE_DOMAIN_KINDS.forEach((kind, k) => {
          const forecast = forecastCapacity(view, inFlight, kind, config);
          expect(
            forecast.items.map(({ id, placements, switchOvers, redundancyLost }) => ({
              id,
              placements,
              switchOvers,
              redundancyLost,
            })),
          ).toEqual(reference[k]);
          for (const item of forecast.items) {
            expect(item.survivable).toBe(item.unplaced.length === 0);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});
