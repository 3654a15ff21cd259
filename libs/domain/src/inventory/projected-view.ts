import type { HostStatus, HostV1, InstanceRole, InstanceV1 } from '@reflex/contracts/inventory.v1';
import { InventoryView } from './inventory-view';

/** What a projection changes: host statuses and instance roles, nothing that moves capacity. */
export interface Projection {
  hostStatus: ReadonlyMap<string, HostStatus>;
  roles: ReadonlyMap<string, InstanceRole>;
}

/**
 * An inventory view with a few hosts' statuses and instances' roles overridden: the snapshot as
 * the live plans will leave it once their promotions and fences are done (`promisedView`). It
 * shares every index of the view it projects, so a storm's plans, each planned against all the
 * others, do not rebuild a 200,000-instance index per plan; only the changed objects are copied.
 */
export class ProjectedView extends InventoryView {
  private hostOverrides!: Map<string, HostV1>;
  private instanceOverrides!: Map<string, InstanceV1>;
  private listCache!: Map<string, InstanceV1[]>;
  private projection!: Projection;
  private base!: InventoryView;

  static over(base: InventoryView, projection: Projection): InventoryView {
    const hosts = new Map<string, HostV1>();
    for (const [id, status] of projection.hostStatus) {
      const host = base.host(id);
      if (host && host.status !== status) hosts.set(id, { ...host, status });
    }
    if (!hosts.size && !changesARole(base, projection.roles)) return base;
    // Built before copying so that the projection shares them instead of building its own.
    base.usage('');
    void base.rackCount;
    const view = Object.create(ProjectedView.prototype) as ProjectedView;
    Object.assign(view, base);
    view.hostOverrides = hosts;
    // Instances are copied with their new role when first asked for: a storm's projection holds
    // thousands of promotions, and a plan reads a few of them.
    view.instanceOverrides = new Map();
    view.listCache = new Map();
    view.projection = projection;
    view.base = base;
    return view;
  }

  /** The view projected, and the hosts up in it that the projection takes out of service. */
  hostsTakenDown(): { base: InventoryView; hostIds: string[] } {
    const hostIds = [...this.hostOverrides.values()]
      .filter((h) => h.status !== 'up' && this.base.host(h.id)?.status === 'up')
      .map((h) => h.id);
    return { base: this.base, hostIds };
  }

  override get hostsOwner(): InventoryView {
    return this.hostOverrides.size ? this : this.base.hostsOwner;
  }

  override host(id: string): HostV1 | undefined {
    return this.hostOverrides.get(id) ?? super.host(id);
  }

  override hosts(): HostV1[] {
    return this.swapHosts(super.hosts());
  }

  override hostsWithHypervisor(hypervisor: string): HostV1[] {
    return this.swapHosts(super.hostsWithHypervisor(hypervisor));
  }

  override instance(id: string): InstanceV1 | undefined {
    const instance = super.instance(id);
    return instance && this.overrideOf(instance);
  }

  override instances(): InstanceV1[] {
    return this.swapInstances('*', super.instances());
  }

  override instancesOn(hostId: string): InstanceV1[] {
    return this.swapInstances(`h:${hostId}`, super.instancesOn(hostId));
  }

  override members(groupId: string): InstanceV1[] {
    return this.swapInstances(`g:${groupId}`, super.members(groupId));
  }

  /** A forecast over a projected view keeps the projection and adds the failed hosts to it. */
  override withHostsDown(hostIds: readonly string[]): InventoryView {
    const hostStatus = new Map(this.projection.hostStatus);
    for (const id of hostIds) hostStatus.set(id, 'down');
    return ProjectedView.over(super.withHostsDown([]), { ...this.projection, hostStatus });
  }

  private swapHosts(list: HostV1[]): HostV1[] {
    if (!this.hostOverrides.size) return list;
    return list.map((h) => this.hostOverrides.get(h.id) ?? h);
  }

  /** The instance as projected: a copy with its new role (made once), or itself. */
  private overrideOf(instance: InstanceV1): InstanceV1 {
    const role = this.projection.roles.get(instance.id);
    if (role === undefined || instance.role === role) return instance;
    let copy = this.instanceOverrides.get(instance.id);
    if (!copy) {
      copy = { ...instance, role };
      this.instanceOverrides.set(instance.id, copy);
    }
    return copy;
  }

  /** Lists keep the base's order (by id); the swapped ones are cached, as callers ask repeatedly. */
  private swapInstances(key: string, list: InstanceV1[]): InstanceV1[] {
    const roles = this.projection.roles;
    if (!roles.size || !list.some((i) => roles.has(i.id))) return list;
    let swapped = this.listCache.get(key);
    if (!swapped) {
      swapped = list.map((i) => this.overrideOf(i));
      this.listCache.set(key, swapped);
    }
    return swapped;
  }
}

/** Whether any of `roles` differs from the instance's: stops at the first (no copy of the map). */
function changesARole(base: InventoryView, roles: Projection['roles']): boolean {
  for (const [id, role] of roles) {
    const instance = base.instance(id);
    if (instance !== undefined && instance.role !== role) return true;
  }
  return false;
}
