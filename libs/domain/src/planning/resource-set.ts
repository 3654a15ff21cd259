import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { InventoryView } from '../inventory/inventory-view';

export interface ResourceSet {
  hosts: string[];
  instances: string[];
  groups: string[];
}

export const emptyResources = (): ResourceSet => ({ hosts: [], instances: [], groups: [] });

class ResourceCollector {
  private readonly sets = {
    hosts: new Set<string>(),
    instances: new Set<string>(),
    groups: new Set<string>(),
  };

  constructor(private readonly view: InventoryView) {}

  /** A host target covers what runs on it: the plan decided about all of it, moved or not. */
  ref(ref: ResourceRefV1): void {
    if (ref.kind === 'host') {
      this.sets.hosts.add(ref.id);
      for (const instance of this.view.instancesOn(ref.id)) this.instance(instance.id);
    } else if (ref.kind === 'group') this.sets.groups.add(ref.id);
    else this.instance(ref.id);
  }

  host(id: string): void {
    this.sets.hosts.add(id);
  }

  /** An instance drags its group in: the plan's safety analysis depended on that group's state. */
  instance(id: string): void {
    this.sets.instances.add(id);
    const groupId = this.view.instance(id)?.groupId;
    if (groupId) this.sets.groups.add(groupId);
  }

  group(id: string): void {
    this.sets.groups.add(id);
  }

  result(): ResourceSet {
    return {
      hosts: [...this.sets.hosts].sort(),
      instances: [...this.sets.instances].sort(),
      groups: [...this.sets.groups].sort(),
    };
  }
}

/**
 * What a plan holds (`includeDestinations` false) or touches (true). Destinations are not held:
 * they are protected by capacity reservations instead, so two plans may move onto one host.
 */
export function planResources(
  view: InventoryView,
  target: ResourceRefV1,
  actions: readonly ActionV1[],
  includeDestinations: boolean,
): ResourceSet {
  const c = new ResourceCollector(view);
  c.ref(target);
  for (const action of actions) {
    const p = action.params as unknown as Record<string, string>;
    switch (action.type) {
      case 'live-migrate':
      case 'cold-migrate':
      case 'evacuate':
        c.instance(p.instanceId);
        c.host(p.fromHostId);
        if (includeDestinations) c.host(p.toHostId);
        break;
      case 'switch-over':
        c.group(p.groupId);
        c.instance(p.fromInstanceId);
        c.instance(p.toInstanceId);
        break;
      case 'recover-instance':
        c.instance(p.instanceId);
        break;
      case 'set-host-status':
      case 'fence-host':
        c.host(p.hostId);
        break;
      case 'notify':
        break;
    }
  }
  return c.result();
}

/** Called for every live plan on every decision: linear in the sets' sizes, not their product. */
export function overlaps(a: ResourceSet, b: ResourceSet): ResourceSet {
  const both = (x: string[], y: string[]) => {
    const inY = new Set(y);
    return x.filter((id) => inY.has(id));
  };
  return {
    hosts: both(a.hosts, b.hosts),
    instances: both(a.instances, b.instances),
    groups: both(a.groups, b.groups),
  };
}

export function isEmpty(set: ResourceSet): boolean {
  return !set.hosts.length && !set.instances.length && !set.groups.length;
}
