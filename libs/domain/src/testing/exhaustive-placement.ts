/**
 * The placement rule stated as plainly as it can be, for specs and experiments to hold the
 * PlacementSolver to: every host judged from the raw inventory, no index, no cache.
 */
import type { HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import { rackKey } from '../inventory/failure-domains';
import type {
  PlacementConfig,
  PlacementConstraint,
  PlacementRequest,
  RejectionCode,
  Reservation,
} from '../placement/placement.types';

export type ReferencePlacement =
  | { ok: true; hostId: string; loadAfter: number }
  | { ok: false; constraints: PlacementConstraint[] };

interface Verdict {
  host: HostV1;
  codes: RejectionCode[];
  loadAfter: number;
  /** The placing plan's moves into the host's rack. */
  rackPlacements: number;
}

const BASIC: readonly RejectionCode[] = ['source-host', 'excluded', 'not-up', 'hypervisor'];

/**
 * Where the rule puts the instance given these reservations (in-flight plans' and the plan's own
 * earlier placements, in the order made): the up host of the source's hypervisor, not the source
 * nor excluded, with room under overcommit and no other group member on it (or in its rack, or its
 * zone) now or once the reserved moves are done; of those, the one whose rack has the fewest moves
 * of plan `planId` (the plan placing), then the least loaded after the placement, then the first
 * by id.
 */
export function exhaustivePlacement(
  inventory: InventoryV1,
  config: PlacementConfig,
  reservations: readonly Reservation[],
  request: PlacementRequest,
  planId: string,
): ReferencePlacement {
  const instance = inventory.instances.find((i) => i.id === request.instanceId);
  if (!instance) return { ok: false, constraints: ['unknown-instance'] };
  if (instance.kind === 'baremetal') return { ok: false, constraints: ['baremetal'] };
  const cloud = summarize(inventory, reservations, planId);
  const placement: Placement = {
    instance,
    request,
    source: inventory.hosts.find((h) => h.id === instance.hostId),
    others: otherMembers(cloud, instance),
  };
  const verdicts = inventory.hosts.map((host) => judge(cloud, config, placement, host));
  const accepted = verdicts
    .filter((v) => !v.codes.length)
    .sort(
      (a, b) =>
        a.rackPlacements - b.rackPlacements ||
        a.loadAfter - b.loadAfter ||
        (a.host.id < b.host.id ? -1 : 1),
    );
  if (accepted.length) {
    return { ok: true, hostId: accepted[0].host.id, loadAfter: accepted[0].loadAfter };
  }
  const eligible = verdicts.filter((v) => v.codes.every((c) => !BASIC.includes(c)));
  if (!eligible.length) return { ok: false, constraints: ['no-eligible-host'] };
  const constraints = new Set<PlacementConstraint>(
    eligible.flatMap((v) =>
      v.codes.map((c) => (c.startsWith('anti-affinity') ? 'anti-affinity' : 'capacity')),
    ),
  );
  return { ok: false, constraints: [...constraints].sort() };
}

/** The cloud once every reserved move is done: what each host holds, where each instance is. */
interface Summary {
  inventory: InventoryV1;
  used: Map<string, { vcpus: number; memoryMb: number }>;
  location: Map<string, string>;
  /** The placing plan's moves per rack (by rackKey), onto known hosts. */
  rackPlacements: Map<string, number>;
}

/** Summed once per placement, so that the reference stays usable on a large cloud. */
function summarize(
  inventory: InventoryV1,
  reservations: readonly Reservation[],
  planId: string,
): Summary {
  const used = new Map<string, { vcpus: number; memoryMb: number }>();
  const take = (hostId: string, vcpus: number, memoryMb: number) => {
    const u = used.get(hostId) ?? { vcpus: 0, memoryMb: 0 };
    used.set(hostId, { vcpus: u.vcpus + vcpus, memoryMb: u.memoryMb + memoryMb });
  };
  // Every instance counts on its current host until its move is done; a reservation counts too.
  for (const i of inventory.instances) take(i.hostId, i.resources.vcpus, i.resources.memoryMb);
  for (const r of reservations) take(r.hostId, r.vcpus, r.memoryMb);
  const location = new Map(inventory.instances.map((i) => [i.id, i.hostId]));
  for (const r of reservations) location.set(r.instanceId, r.hostId);
  const rackPlacements = new Map<string, number>();
  for (const r of reservations.filter((mine) => mine.planId === planId)) {
    const host = inventory.hosts.find((h) => h.id === r.hostId);
    if (host) rackPlacements.set(rackKey(host), (rackPlacements.get(rackKey(host)) ?? 0) + 1);
  }
  return { inventory, used, location, rackPlacements };
}

/** What one placement's verdicts depend on besides the host judged. */
interface Placement {
  instance: InstanceV1;
  request: PlacementRequest;
  source: HostV1 | undefined;
  /** Under anti-affinity, where the other members of the instance's group are or will be. */
  others: {
    antiAffinity: 'host' | 'rack' | 'zone';
    hostId: string;
    rack: string | undefined;
    zone: string | undefined;
  }[];
}

function otherMembers(cloud: Summary, instance: InstanceV1): Placement['others'] {
  const group = cloud.inventory.groups.find((g) => g.id === instance.groupId);
  if (!group || group.antiAffinity === 'none') return [];
  const antiAffinity = group.antiAffinity;
  return cloud.inventory.instances
    .filter((m) => m.groupId === group.id && m.id !== instance.id)
    .map((m) => {
      const hostId = cloud.location.get(m.id)!;
      const host = cloud.inventory.hosts.find((h) => h.id === hostId);
      return { antiAffinity, hostId, rack: host && rackKey(host), zone: host?.zone };
    });
}

function judge(cloud: Summary, config: PlacementConfig, p: Placement, host: HostV1): Verdict {
  const codes: RejectionCode[] = [];
  if (host.id === p.instance.hostId) codes.push('source-host');
  else if (p.request.excludeHostIds?.includes(host.id)) codes.push('excluded');
  if (host.status !== 'up') codes.push('not-up');
  if (p.source && p.source.hypervisor !== host.hypervisor) codes.push('hypervisor');
  let loadAfter = 0;
  const dims = [
    ['vcpus', config.cpuOvercommit, 'vcpus'],
    ['memoryMb', config.memoryOvercommit, 'memory'],
  ] as const;
  for (const [dim, ratio, code] of dims) {
    const offered = host.capacity[dim] * ratio;
    const after = (cloud.used.get(host.id)?.[dim] ?? 0) + p.instance.resources[dim];
    loadAfter = Math.max(loadAfter, offered > 0 ? after / offered : Number.POSITIVE_INFINITY);
    if (after > offered) codes.push(code);
  }
  for (const other of p.others) {
    if (other.antiAffinity === 'host' && other.hostId === host.id) codes.push('anti-affinity-host');
    if (other.antiAffinity === 'rack' && other.rack === rackKey(host))
      codes.push('anti-affinity-rack');
    if (other.antiAffinity === 'zone' && other.zone === host.zone) codes.push('anti-affinity-zone');
  }
  return { host, codes, loadAfter, rackPlacements: cloud.rackPlacements.get(rackKey(host)) ?? 0 };
}
