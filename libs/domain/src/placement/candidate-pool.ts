import type { HostV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';
import { ProjectedView } from '../inventory/projected-view';
import type { UnjudgedHosts } from './candidate-summary';
import { LoadIndex } from './load-index';
import type { PlacementConfig } from './placement.types';

/** The resources placement weighs, in the order the load index holds them. */
export const RESOURCES = [
  { dim: 'vcpus', code: 'vcpus', ratio: (c: PlacementConfig) => c.cpuOvercommit },
  { dim: 'memoryMb', code: 'memory', ratio: (c: PlacementConfig) => c.memoryOvercommit },
] as const;
export type Resource = (typeof RESOURCES)[number];

/** What a host offers of one resource to placements: its capacity times the overcommit. */
export const offered = (host: HostV1, { dim, ratio }: Resource, config: PlacementConfig): number =>
  host.capacity[dim] * ratio(config);

/**
 * The hosts a placement may go to as far as status and hypervisor go (up, and of the source's
 * hypervisor), indexed by their load before any reservation, and the count of the other hosts,
 * each of which would be turned down as not up or of another hypervisor.
 */
export interface CandidatePool {
  /** Shared by every solver on the view: copy it before updating it. */
  index: LoadIndex;
  turnedDown: Omit<UnjudgedHosts, 'notJudged'>;
}

/**
 * A view is an immutable snapshot and the pool derives from it alone, so it is built once per view
 * (and overcommit, and hypervisor) however many plans are made on that view.
 */
const pools = new WeakMap<InventoryView, Map<string, CandidatePool>>();

/** The pool for an instance on `hypervisor`; undefined when its source host is unknown: any goes. */
export function candidatePool(
  view: InventoryView,
  config: PlacementConfig,
  hypervisor: string | undefined,
): CandidatePool {
  const owner = view.hostsOwner;
  let byKey = pools.get(owner);
  if (!byKey) pools.set(owner, (byKey = new Map<string, CandidatePool>()));
  const key = JSON.stringify([config.cpuOvercommit, config.memoryOvercommit, hypervisor ?? null]);
  let pool = byKey.get(key);
  if (!pool) {
    pool =
      owner instanceof ProjectedView
        ? derivedPool(owner, config, hypervisor)
        : buildPool(owner, config, hypervisor);
    byKey.set(key, pool);
  }
  return pool;
}

/**
 * A projection's pool: its base's, less the hosts it takes out of service (a projection never brings
 * one up). In a storm every decision plans over a new projection, each fencing one more host;
 * building each one's index from every host made a 500-host storm's planning a fifth slower.
 */
function derivedPool(
  view: ProjectedView,
  config: PlacementConfig,
  hypervisor: string | undefined,
): CandidatePool {
  const { base, hostIds } = view.hostsTakenDown();
  const from = candidatePool(base, config, hypervisor);
  const index = from.index.copy();
  let rejected = from.turnedDown.rejected;
  let notUp = from.turnedDown.rejectedBy['not-up'] ?? 0;
  for (const id of hostIds) {
    // Counted as buildPool counts: every host not up, and the pool's own among those turned down.
    notUp += 1;
    if (index.removeHost(id)) rejected += 1;
  }
  const otherHypervisor = from.turnedDown.rejectedBy.hypervisor;
  return {
    index,
    turnedDown: {
      rejected,
      rejectedBy: {
        ...(notUp ? { 'not-up': notUp } : {}),
        ...(otherHypervisor ? { hypervisor: otherHypervisor } : {}),
      },
    },
  };
}

function buildPool(
  view: InventoryView,
  config: PlacementConfig,
  hypervisor: string | undefined,
): CandidatePool {
  const all = view.hosts();
  const sameHypervisor = hypervisor === undefined ? all : view.hostsWithHypervisor(hypervisor);
  const up = sameHypervisor.filter((h) => h.status === 'up');
  const rejectedBy: Record<string, number> = {};
  const notUp = all.filter((h) => h.status !== 'up').length;
  if (notUp) rejectedBy['not-up'] = notUp;
  if (all.length > sameHypervisor.length)
    rejectedBy.hypervisor = all.length - sameHypervisor.length;
  const index = LoadIndex.build(
    up,
    RESOURCES.length,
    (h) => RESOURCES.map((r) => offered(h, r, config)),
    (h) => RESOURCES.map((r) => view.usage(h.id)[r.dim]),
    (h) => view.rackOf(h.id)!,
  );
  return { index, turnedDown: { rejected: all.length - up.length, rejectedBy } };
}
