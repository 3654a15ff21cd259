import type {
  CapacityV1,
  GroupV1,
  HostV1,
  InstanceV1,
  InventoryV1,
} from '@reflex/contracts/inventory.v1';
import { rackKey } from './failure-domains';

const byId = <T extends { id: string }>(a: T, b: T): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * A read-only, indexed view over one inventory snapshot. Every list it returns is sorted by id so
 * that planning over the same inventory always yields the same plan, whatever order the documents
 * arrived in.
 */
export class InventoryView {
  private readonly hostsById = new Map<string, HostV1>();
  /** withHostsDown: those hosts as down, over the shared hostsById. */
  private downHosts: ReadonlyMap<string, HostV1> | undefined;
  private readonly instancesById = new Map<string, InstanceV1>();
  private readonly groupsById = new Map<string, GroupV1>();
  private readonly instancesByHost = new Map<string, InstanceV1[]>();
  private readonly membersByGroup = new Map<string, InstanceV1[]>();
  /** Built on first use: the engine builds a view per plan, and most plans never ask. */
  private usageByHost: Map<string, Readonly<CapacityV1>> | undefined;
  private hostsByHypervisor: Map<string, HostV1[]> | undefined;
  private rackByHost: Map<string, number> | undefined;
  private racks = 0;

  constructor(readonly inventory: InventoryV1) {
    for (const host of [...inventory.hosts].sort(byId)) this.hostsById.set(host.id, host);
    for (const group of [...inventory.groups].sort(byId)) this.groupsById.set(group.id, group);
    for (const instance of [...inventory.instances].sort(byId)) {
      this.instancesById.set(instance.id, instance);
      push(this.instancesByHost, instance.hostId, instance);
      if (instance.groupId) push(this.membersByGroup, instance.groupId, instance);
    }
  }

  host(id: string): HostV1 | undefined {
    return this.downHosts?.get(id) ?? this.hostsById.get(id);
  }

  instance(id: string): InstanceV1 | undefined {
    return this.instancesById.get(id);
  }

  group(id: string): GroupV1 | undefined {
    return this.groupsById.get(id);
  }

  hosts(): HostV1[] {
    const hosts = [...this.hostsById.values()];
    const down = this.downHosts;
    return down ? hosts.map((h) => down.get(h.id) ?? h) : hosts;
  }

  get hostCount(): number {
    return this.hostsById.size;
  }

  /**
   * The same snapshot with these hosts `down`: what planning sees once they have failed (the
   * capacity forecast). Shares every index but the hosts', so a forecast over many domains does
   * not rebuild the instance indexes each time; `inventory` still holds the original documents.
   */
  withHostsDown(hostIds: readonly string[]): InventoryView {
    this.usage('');
    this.rackNumbers();
    const copy = Object.create(InventoryView.prototype) as InventoryView;
    // Only the failed hosts are copied: a rack forecast makes a view per rack of a 10,000-host cloud.
    const down = new Map(this.downHosts);
    for (const id of hostIds) {
      const host = this.host(id);
      if (host) down.set(id, { ...host, status: 'down' });
    }
    Object.assign(copy, this, { downHosts: down, hostsByHypervisor: undefined });
    return copy;
  }

  /**
   * The view whose hosts (and their statuses) this one has: what is derived from hosts alone, such
   * as placement's candidate pools, is built once for both. A projection that changes no host
   * status shares its base's.
   */
  get hostsOwner(): InventoryView {
    return this;
  }

  /** Hosts of one hypervisor, whatever their status. */
  hostsWithHypervisor(hypervisor: string): HostV1[] {
    if (!this.hostsByHypervisor) {
      this.hostsByHypervisor = new Map();
      for (const host of this.hosts()) push(this.hostsByHypervisor, host.hypervisor, host);
    }
    return this.hostsByHypervisor.get(hypervisor) ?? [];
  }

  /**
   * The host's rack as a number below rackCount (one per rackKey), undefined for an unknown host.
   * Worked out once per view: placement counts moves per rack for every reservation, plan after
   * plan in a storm, and numbers make that an array increment.
   */
  rackOf(hostId: string): number | undefined {
    return this.rackNumbers().get(hostId);
  }

  get rackCount(): number {
    this.rackNumbers();
    return this.racks;
  }

  private rackNumbers(): Map<string, number> {
    if (this.rackByHost) return this.rackByHost;
    const numbers = new Map<string, number>();
    this.rackByHost = new Map();
    for (const host of this.hostsById.values()) {
      const key = rackKey(host);
      let rack = numbers.get(key);
      if (rack === undefined) numbers.set(key, (rack = numbers.size));
      this.rackByHost.set(host.id, rack);
    }
    this.racks = numbers.size;
    return this.rackByHost;
  }

  /**
   * What the instances placed on the host take, whatever their state: a stopped instance keeps its
   * allocation on the hypervisor. Summed once per view for every host, as placement asks for the
   * usage of many hosts per plan.
   */
  usage(hostId: string): Readonly<CapacityV1> {
    if (!this.usageByHost) {
      this.usageByHost = new Map();
      for (const [id, instances] of this.instancesByHost) {
        this.usageByHost.set(id, sumResources(instances));
      }
    }
    return this.usageByHost.get(hostId) ?? { vcpus: 0, memoryMb: 0 };
  }

  instances(): InstanceV1[] {
    return [...this.instancesById.values()];
  }

  groups(): GroupV1[] {
    return [...this.groupsById.values()];
  }

  instancesOn(hostId: string): InstanceV1[] {
    return this.instancesByHost.get(hostId) ?? [];
  }

  members(groupId: string): InstanceV1[] {
    return this.membersByGroup.get(groupId) ?? [];
  }

  groupOf(instance: InstanceV1): GroupV1 | undefined {
    return instance.groupId ? this.group(instance.groupId) : undefined;
  }

  /** Healthy means serving or able to serve: the instance runs and its host is up. */
  isHealthy(instance: InstanceV1): boolean {
    return instance.state === 'running' && this.host(instance.hostId)?.status === 'up';
  }

  /** Groups with at least one member on the host, sorted by id. */
  groupsOnHost(hostId: string): GroupV1[] {
    const ids = new Set(this.instancesOn(hostId).flatMap((i) => (i.groupId ? [i.groupId] : [])));
    return [...ids].sort().flatMap((id) => {
      const group = this.group(id);
      return group ? [group] : [];
    });
  }
}

function sumResources(instances: readonly InstanceV1[]): CapacityV1 {
  const sum = { vcpus: 0, memoryMb: 0 };
  for (const { resources } of instances) {
    sum.vcpus += resources.vcpus;
    sum.memoryMb += resources.memoryMb;
  }
  return sum;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
