import type { HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';
import { antiAffinityFor, type PlannedLocations } from './anti-affinity';
import { utilisation } from './bucket-lists';
import { offered, RESOURCES } from './candidate-pool';
import type {
  CandidateVerdict,
  PlacementConfig,
  PlacementRequest,
  Rejection,
} from './placement.types';

/** What a solver has reserved on one host, besides the inventory. */
export interface Usage {
  vcpus: number;
  memoryMb: number;
}

export const NOTHING: Usage = { vcpus: 0, memoryMb: 0 };

/** The solver's state a verdict reads: its reservations, rack counts and planned locations. */
export interface JudgeState extends PlannedLocations {
  reservedOn(hostId: string): Usage;
  /** This plan's moves per rack (InventoryView.rackOf). */
  readonly rackPlacements: Int32Array;
}

/**
 * The verdict on each candidate host for one placement: every rule that turns it down, or its
 * load after the placement and its rack's moves so far, by which accepted hosts are ranked. What
 * does not depend on the host is worked out once.
 */
export function candidateJudge(
  view: InventoryView,
  config: PlacementConfig,
  instance: InstanceV1,
  source: HostV1 | undefined,
  request: PlacementRequest,
  state: JudgeState,
): (host: HostV1) => CandidateVerdict {
  // Most placements exclude no host: no set to make for them.
  const excluded = request.excludeHostIds?.length ? new Set(request.excludeHostIds) : undefined;
  const antiAffinity = antiAffinityFor(view, instance, state);
  return (host) => {
    const reasons: Rejection[] = [];
    if (host.id === instance.hostId) {
      reasons.push({ code: 'source-host', message: 'source host' });
    } else if (excluded?.has(host.id)) {
      reasons.push({ code: 'excluded', message: 'excluded: being drained or evacuated' });
    }
    if (host.status !== 'up') {
      reasons.push({
        code: 'not-up',
        message: `status ${host.status}; only up hosts take placements`,
      });
    }
    if (source && host.hypervisor !== source.hypervisor) {
      reasons.push({
        code: 'hypervisor',
        message: `hypervisor ${host.hypervisor}, instance runs on ${source.hypervisor}`,
      });
    }
    const capacity = capacityCheck(view, config, instance, host, state.reservedOn(host.id));
    reasons.push(...capacity.reasons, ...antiAffinity(host));
    if (reasons.length) return { hostId: host.id, accepted: false, reasons };
    const { loadAfter } = capacity;
    const rackPlacements = state.rackPlacements[view.rackOf(host.id)!];
    return { hostId: host.id, accepted: true, reasons, loadAfter, rackPlacements };
  };
}

/**
 * Whether the instance fits on the host beside the inventory and `reserved`, and the host's load
 * after it: the higher utilisation of its resources. LoadIndex works out the same sum in the same
 * order (inventory + reserved, then + need) to pass over hosts without judging them.
 */
function capacityCheck(
  view: InventoryView,
  config: PlacementConfig,
  instance: InstanceV1,
  host: HostV1,
  reserved: Usage,
): { reasons: Rejection[]; loadAfter: number } {
  const base = view.usage(host.id);
  const reasons: Rejection[] = [];
  let loadAfter = 0;
  for (const resource of RESOURCES) {
    const { dim, code, ratio } = resource;
    const offers = offered(host, resource, config);
    const used = base[dim] + reserved[dim];
    const need = instance.resources[dim];
    const after = used + need;
    loadAfter = Math.max(loadAfter, utilisation(after, offers));
    if (after > offers) {
      reasons.push({
        code,
        message:
          `${dim}: needs ${need}, free ${offers - used} of ${offers} ` +
          `(${host.capacity[dim]} x ${ratio(config)} overcommit; ${used} used incl. ${reserved[dim]} reserved)`,
      });
    }
  }
  return { reasons, loadAfter };
}
