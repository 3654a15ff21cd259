import fc from 'fast-check';
import type { HostStatus, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from '../inventory/inventory-view';
import { ProjectedView } from '../inventory/projected-view';
import { cloudArb } from '../testing/random-cloud';
import { host, vm } from '../testing/topology.fixture';
import { PlacementSolver } from './placement-solver';

/**
 * A projected view's candidate pool is its base's less the hosts the projection takes out of
 * service (candidatePool's derivedPool). Placing over the projection must give what placing over
 * the same inventory, read afresh with those statuses, gives: the same host, load, verdicts and
 * counts, for projections that grow one host at a time over one base, as a storm's do.
 */
const scenarioArb = cloudArb.chain(({ inventory, config }) => {
  const hostIds = inventory.hosts.map((h) => h.id);
  const instanceIds = [...inventory.instances.map((i) => i.id), 'nope'];
  return fc.record({
    inventory: fc.constant(inventory),
    config: fc.constant(config),
    downs: fc.array(
      fc.tuple(
        fc.constantFrom(...hostIds),
        fc.constantFrom<HostStatus>('down', 'maintenance', 'disabled'),
      ),
      { minLength: 1, maxLength: 6 },
    ),
    requests: fc.array(fc.record({ instanceId: fc.constantFrom(...instanceIds) }), {
      minLength: 1,
      maxLength: 4,
    }),
  });
});

const withStatuses = (inventory: InventoryV1, statuses: ReadonlyMap<string, HostStatus>) => ({
  ...inventory,
  hosts: inventory.hosts.map((h) => ({ ...h, status: statuses.get(h.id) ?? h.status })),
});

describe('candidate pools of projected views', () => {
  it('place as a view read afresh with the projected statuses', () => {
    fc.assert(
      fc.property(scenarioArb, ({ inventory, config, downs, requests }) => {
        const base = new InventoryView(inventory);
        const statuses = new Map<string, HostStatus>();
        downs.forEach(([hostId, status], n) => {
          statuses.set(hostId, status);
          const projected = ProjectedView.over(base, { hostStatus: statuses, roles: new Map() });
          const fresh = new InventoryView(withStatuses(inventory, statuses));
          const overProjection = new PlacementSolver(projected, config, [], `p${n}`);
          const overFresh = new PlacementSolver(fresh, config, [], `p${n}`);
          for (const request of requests) {
            expect(overProjection.place(request)).toEqual(overFresh.place(request));
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it('counts the hosts it turned down as a fresh view does, on a cloud too large to list them', () => {
    // 60 hosts (more than MAX_RECORDED_CANDIDATES): some down already, some of another
    // hypervisor; the projection takes down hosts of both hypervisors, one down already.
    const hosts = Array.from({ length: 60 }, (_, i) =>
      host(`h${String(i).padStart(2, '0')}`, {
        status: i % 9 === 0 ? 'down' : 'up',
        hypervisor: i % 7 === 0 ? 'xen' : 'kvm',
      }),
    );
    const inventory = {
      hosts,
      instances: [vm('small', 'h01'), vm('huge', 'h02', { resources: { vcpus: 64, memoryMb: 8 } })],
      groups: [],
    };
    const statuses = new Map<string, HostStatus>([
      ['h05', 'down'],
      ['h14', 'maintenance'],
      ['h18', 'disabled'],
      ['h27', 'down'],
    ]);
    const projected = ProjectedView.over(new InventoryView(inventory), {
      hostStatus: statuses,
      roles: new Map(),
    });
    const fresh = new InventoryView(withStatuses(inventory, statuses));
    const config = { cpuOvercommit: 1, memoryOvercommit: 1 };
    for (const instanceId of ['small', 'huge']) {
      const result = new PlacementSolver(projected, config, [], 'p').place({ instanceId });
      expect(result).toEqual(new PlacementSolver(fresh, config, [], 'p').place({ instanceId }));
      expect('omitted' in result && result.omitted?.rejectedBy['not-up']).toBeGreaterThan(0);
    }
  });
});
