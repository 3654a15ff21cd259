import type { AlarmV1, InventoryV1 } from '@reflex/contracts';

/**
 * The intake scenarios' cloud: `groups` N+1 groups (2 active + 1 standby, host anti-affinity), each
 * member on its own host, about 24 instances per 64-vcpu host. Every group can take exactly one
 * switch-over plan, so one `instance.down` per group gives as many plans as groups.
 */
export interface IntakeCloud {
  inventory: InventoryV1;
  hostIds: string[];
  instanceIds: string[];
  /** The first active member of group `g`: an `instance.down` on it makes a switch-over plan. */
  activeOf(g: number): string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function intakeCloud(groups: number): IntakeCloud {
  const hostCount = Math.max(3, Math.ceil((groups * 3) / 24) + 3);
  const hostIds = Array.from({ length: hostCount }, (_, i) => `cmp-${pad(i, 5)}`);
  const inventory: InventoryV1 = {
    hosts: hostIds.map((id, i) => ({
      id,
      zone: `az${(i % 4) + 1}`,
      status: 'up',
      hypervisor: 'kvm',
      driver: 'simulator',
      capacity: { vcpus: 64, memoryMb: 262_144 },
      labels: {},
    })),
    groups: [],
    instances: [],
  };
  const member = (g: number, k: number) => `grp-${pad(g, 5)}-${k === 2 ? 's' : `a${k + 1}`}`;
  for (let g = 0; g < groups; g++) {
    const groupId = `grp-${pad(g, 5)}`;
    inventory.groups.push({ id: groupId, active: 2, standby: 1, antiAffinity: 'host' });
    for (let k = 0; k < 3; k++) {
      inventory.instances.push({
        id: member(g, k),
        hostId: hostIds[(g * 3 + k) % hostCount],
        kind: 'vm',
        state: 'running',
        resources: { vcpus: 2, memoryMb: 4096 },
        groupId,
        role: k === 2 ? 'standby' : 'active',
      });
    }
  }
  return {
    inventory,
    hostIds,
    instanceIds: inventory.instances.map((i) => i.id),
    activeOf: (g) => member(g, 0),
  };
}

/** An Alarm v1 from the bench's own source. */
export function benchAlarm(
  id: string,
  type: string,
  resource: AlarmV1['resource'],
  occurredAt: Date,
): AlarmV1 {
  return {
    id,
    source: 'bench',
    type,
    severity: 'major',
    state: 'firing',
    resource,
    occurredAt: occurredAt.toISOString(),
    labels: { bench: 'reflex' },
  };
}

/**
 * Alarms that end without a plan, half each way: `count / 2` new alarms of a type no shipped rule
 * acts on (about hosts and instances alike), then each of them firing again (a duplicate).
 */
export function noPlanAlarms(cloud: IntakeCloud, count: number, tag: string): AlarmV1[] {
  const unique = Math.ceil(count / 2);
  const base = Date.now();
  const first: AlarmV1[] = [];
  for (let i = 0; i < unique; i++) {
    const resource: AlarmV1['resource'] =
      i % 2 === 0
        ? { kind: 'host', id: cloud.hostIds[i % cloud.hostIds.length] }
        : { kind: 'instance', id: cloud.instanceIds[i % cloud.instanceIds.length] };
    const type = resource.kind === 'host' ? 'host.disk.usage.high' : 'instance.cpu.high';
    first.push(benchAlarm(`${tag}-np-${i}`, type, resource, new Date(base + i)));
  }
  const again = first
    .slice(0, count - unique)
    .map((a, i) => ({ ...a, occurredAt: new Date(base + unique + i).toISOString() }));
  return [...first, ...again];
}

/** One `instance.down` on an active member per group, `from` to `from + count - 1`. */
export function planAlarms(
  cloud: IntakeCloud,
  from: number,
  count: number,
  tag: string,
): AlarmV1[] {
  const base = Date.now();
  return Array.from({ length: count }, (_, i) =>
    benchAlarm(
      `${tag}-p-${from + i}`,
      'instance.down',
      { kind: 'instance', id: cloud.activeOf(from + i) },
      new Date(base + i),
    ),
  );
}
