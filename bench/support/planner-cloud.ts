import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import { InventoryView, type PlanningConfig } from '@reflex/domain';
import type { BenchContext } from './context';
import { Prng } from './prng';
import { row } from './report';
import { timeSyncMs } from './stats';

/**
 * The planner's cloud at scale, the same on every run (seeded): `hosts` hosts in 20 zones,
 * `instances` VMs all in `groups` N+1 groups (one standby each, sizes 20 to 60 around the mean),
 * host anti-affinity in nine groups of ten and none in the tenth. Two hosts are built for the
 * single-plan cases: `failoverHost` and `drainHost` carry `bigHostInstances` small VMs each, every
 * one from a different group. Every host starts at most 75% full (64 vcpus x 4 overcommit,
 * 512 GiB x 1; about 40% of memory on average), so any overload found after planning is the
 * planner's.
 */
export interface PlannerCloud {
  inventory: InventoryV1;
  failoverHost: string;
  drainHost: string;
}

export interface PlannerCloudSize {
  hosts: number;
  instances: number;
  groups: number;
  bigHostInstances: number;
}

export const FULL_PLANNER_CLOUD: PlannerCloudSize = {
  hosts: 10_000,
  instances: 200_000,
  groups: 5_000,
  bigHostInstances: 100,
};

/** The size under --quick. */
export const QUICK_PLANNER_CLOUD: PlannerCloudSize = {
  hosts: 2_000,
  instances: 40_000,
  groups: 1_000,
  bigHostInstances: 100,
};

/** The engine's defaults (CPU_OVERCOMMIT, MEMORY_OVERCOMMIT), which the fill above assumes. */
export const ENGINE_PLANNING: PlanningConfig = {
  placement: { cpuOvercommit: 4, memoryOvercommit: 1 },
};

/** No host is filled beyond this share of its capacity when the cloud is generated. */
const FILL = 0.75;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Instance shapes (vcpus, memory): small ones are the most common, as in most clouds. */
const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [1, 2048],
  [2, 4096],
  [2, 4096],
  [2, 8192],
  [4, 8192],
  [4, 16384],
  [8, 32768],
];

export function plannerCloud(size: PlannerCloudSize, seed = 42): PlannerCloud {
  const prng = new Prng(seed);
  const hosts: HostV1[] = Array.from({ length: size.hosts }, (_, i) => ({
    id: `cmp-${pad(i, 5)}`,
    zone: `az${pad(i % 20, 2)}`,
    status: 'up',
    hypervisor: 'kvm',
    driver: 'simulator',
    capacity: { vcpus: 64, memoryMb: 524_288 },
    labels: {},
  }));
  const failoverHost = hosts[0].id;
  const drainHost = hosts[1].id;
  const used = hosts.map(() => ({ vcpus: 0, memoryMb: 0, count: 0 }));
  const fits = (h: number, vcpus: number, memoryMb: number) =>
    used[h].vcpus + vcpus <= 64 * 4 * FILL && used[h].memoryMb + memoryMb <= 524_288 * FILL;

  const groupSizes = splitIntoGroups(size.instances, size.groups, prng);
  const groups: GroupV1[] = [];
  const instances: InstanceV1[] = [];
  // The two big hosts take one small member from each of the first groups: 2 x bigHostInstances.
  const bigHostSlots = Math.min(size.bigHostInstances, size.groups);
  for (let g = 0; g < size.groups; g++) {
    const groupId = `grp-${pad(g, 5)}`;
    const members = groupSizes[g];
    groups.push({
      id: groupId,
      active: members - 1,
      standby: 1,
      antiAffinity: g % 10 === 9 ? 'none' : 'host',
    });
    const taken = new Set<number>();
    for (let k = 0; k < members; k++) {
      let vcpus: number;
      let memoryMb: number;
      let h: number;
      const big = k < 2 && g < bigHostSlots;
      if (big) {
        [vcpus, memoryMb] = [1, 2048];
        h = k; // host 0 (failover) or host 1 (drain)
      } else {
        [vcpus, memoryMb] = prng.pick(SHAPES);
        // Any host but the two big ones, not already holding this group, with room.
        do h = 2 + prng.int(size.hosts - 2);
        while (taken.has(h) || !fits(h, vcpus, memoryMb));
      }
      taken.add(h);
      used[h].vcpus += vcpus;
      used[h].memoryMb += memoryMb;
      used[h].count += 1;
      instances.push({
        id: `vm-${pad(g, 5)}-${pad(k, 2)}`,
        hostId: hosts[h].id,
        kind: 'vm',
        state: 'running',
        resources: { vcpus, memoryMb },
        groupId,
        // The big hosts' members are actives, so a failover has switch-overs to plan.
        role: k === members - 1 ? 'standby' : 'active',
      });
    }
  }
  return { inventory: { hosts, instances, groups }, failoverHost, drainHost };
}

/** `total` split into `groups` sizes between 20 and 60 (or as close as the mean allows). */
function splitIntoGroups(total: number, groups: number, prng: Prng): number[] {
  const mean = total / groups;
  const spread = Math.max(0, Math.min(20, Math.floor(mean) - 3));
  const sizes = Array.from({ length: groups }, () =>
    Math.max(3, Math.round(mean - spread + prng.next() * 2 * spread)),
  );
  // Nudge sizes until they add up exactly.
  let diff = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0; i = (i + 1) % groups) {
    if (diff > 0) {
      sizes[i] += 1;
      diff -= 1;
    } else if (sizes[i] > 3) {
      sizes[i] -= 1;
      diff += 1;
    }
  }
  return sizes;
}

/**
 * The cloud of the run's size (`--quick` or full), generated and viewed: the view's build time is
 * the first row, `note` saying what the scenario does with the view. `shape` changes the inventory
 * first (capacity adds racks), `size` is added to the log line.
 */
export function viewedPlannerCloud(
  ctx: BenchContext,
  scenario: string,
  note: string,
  shape: (inventory: InventoryV1) => InventoryV1 = (inventory) => inventory,
  size = '',
) {
  const spec = ctx.quick ? QUICK_PLANNER_CLOUD : FULL_PLANNER_CLOUD;
  const described = `${spec.hosts} hosts, ${spec.instances} instances, ${spec.groups} N+1 groups${size}`;
  ctx.log(`generating ${described}`);
  const cloud = plannerCloud(spec);
  const built = timeSyncMs(() => new InventoryView(shape(cloud.inventory)));
  const first = row(
    scenario,
    `InventoryView over ${spec.hosts} hosts / ${spec.instances} instances`,
    built.ms,
    'ms',
    undefined,
    note,
  );
  return { spec, described, cloud, view: built.value, first };
}
