// The simulated cloud every chaos scenario starts from, seeded identically into the engine's
// inventory (PUT /v1/inventory) and the driver's simulator (PUT /v1/sim/state).
import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import { Prng } from '../../../bench/support/prng';

/**
 * The bench's seeded generator (mulberry32) with the draws the scenarios make: every run of a
 * scenario with one seed makes the same storm.
 */
export class Rng {
  private readonly prng: Prng;

  constructor(readonly seed: number) {
    this.prng = new Prng(seed);
  }

  next(): number {
    return this.prng.next();
  }

  int(min: number, max: number): number {
    return min + this.prng.int(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    return this.prng.pick(items);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    return this.prng.shuffle([...items]);
  }
}

export interface CloudShape {
  zones: number;
  hostsPerZone: number;
  /** Ungrouped VMs per host. */
  vmsPerHost: number;
  /** N+1 groups (2 active + 1 standby), half with host and half with zone anti-affinity. */
  groups: number;
}

export const STORM_CLOUD: CloudShape = { zones: 3, hostsPerZone: 16, vmsPerHost: 6, groups: 12 };

/** The placement ratios the engines run with (CPU_OVERCOMMIT, MEMORY_OVERCOMMIT). */
export const OVERCOMMIT = { cpu: 4, memory: 1 };

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Hosts `h-az<z>-<nn>` (64 vcpus, 128 GiB, simulator), a few VMs on each, and N+1 groups whose
 * members respect their anti-affinity. About a quarter of the memory is used, so the cloud can lose
 * a dozen hosts and drain a dozen more and still place everything.
 */
export function buildCloud(shape: CloudShape, rng: Rng): InventoryV1 {
  const hosts: HostV1[] = [];
  for (let z = 1; z <= shape.zones; z++) {
    for (let n = 1; n <= shape.hostsPerZone; n++) {
      hosts.push({
        id: `h-az${z}-${pad(n)}`,
        zone: `az${z}`,
        status: 'up',
        hypervisor: 'kvm',
        driver: 'simulator',
        capacity: { vcpus: 64, memoryMb: 131072 },
        labels: { rack: `r${z}${pad(Math.ceil(n / 4))}` },
      });
    }
  }
  const instances: InstanceV1[] = [];
  for (const host of hosts) {
    for (let i = 1; i <= shape.vmsPerHost; i++) {
      instances.push({
        id: `vm-${host.id.slice(2)}-${i}`,
        hostId: host.id,
        kind: 'vm',
        state: 'running',
        resources: { vcpus: rng.pick([1, 2, 4]), memoryMb: rng.pick([2048, 4096, 8192]) },
        groupId: null,
        role: null,
      });
    }
  }
  const groups: GroupV1[] = [];
  const byZone = (zone: string) => hosts.filter((h) => h.zone === zone);
  for (let g = 1; g <= shape.groups; g++) {
    const antiAffinity = g % 2 === 0 ? 'zone' : 'host';
    const id = `grp-${pad(g)}`;
    groups.push({ id, active: 2, standby: 1, antiAffinity });
    const members =
      antiAffinity === 'zone'
        ? [1, 2, 3].map((z) => rng.pick(byZone(`az${z}`)))
        : rng.shuffle(hosts).slice(0, 3);
    members.forEach((host, m) =>
      instances.push({
        id: `${id}-m${m + 1}`,
        hostId: host.id,
        kind: 'vm',
        state: 'running',
        resources: { vcpus: 2, memoryMb: 4096 },
        groupId: id,
        role: m < 2 ? 'active' : 'standby',
      }),
    );
  }
  return { hosts, instances, groups };
}
