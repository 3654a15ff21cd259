import type { GroupV1, HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';

const byId = <T extends { id: string }>(a: T, b: T): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * A read-only, indexed view over one inventory snapshot. Every list it returns is sorted by id so
 * that planning over the same inventory always yields the same plan, whatever order the documents
 * arrived in.
 */
export class InventoryView {
  private readonly hostsById = new Map<string, HostV1>();
  private readonly instancesById = new Map<string, InstanceV1>();
  private readonly groupsById = new Map<string, GroupV1>();
  private readonly instancesByHost = new Map<string, InstanceV1[]>();
  private readonly membersByGroup = new Map<string, InstanceV1[]>();

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
    return this.hostsById.get(id);
  }

  instance(id: string): InstanceV1 | undefined {
    return this.instancesById.get(id);
  }

  group(id: string): GroupV1 | undefined {
    return this.groupsById.get(id);
  }

  hosts(): HostV1[] {
    return [...this.hostsById.values()];
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

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
