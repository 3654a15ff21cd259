import type { InventoryV1 } from '@reflex/contracts';

/**
 * Where the inventory (what Reflex believes) and the simulated cloud (what really is) disagree:
 * host status; instance host, role and state. The state of an instance on a host that is down is
 * not compared: the cloud says `error`, and nothing tells the inventory until the host is back.
 */
export function cloudDifferences(cloud: InventoryV1, inventory: InventoryV1): string[] {
  const problems: string[] = [];
  const cloudHosts = new Map(cloud.hosts.map((h) => [h.id, h]));
  for (const host of inventory.hosts) {
    const real = cloudHosts.get(host.id);
    if (!real) problems.push(`host ${host.id} is not in the cloud`);
    else if (real.status !== host.status) {
      problems.push(`host ${host.id}: inventory ${host.status}, cloud ${real.status}`);
    }
  }
  const cloudInstances = new Map(cloud.instances.map((i) => [i.id, i]));
  for (const instance of inventory.instances) {
    const real = cloudInstances.get(instance.id);
    if (!real) {
      problems.push(`instance ${instance.id} is not in the cloud`);
      continue;
    }
    const field = (name: string, a: unknown, b: unknown) => {
      if ((a ?? null) !== (b ?? null)) {
        problems.push(
          `instance ${instance.id} ${name}: inventory ${String(a)}, cloud ${String(b)}`,
        );
      }
    };
    field('host', instance.hostId, real.hostId);
    field('role', instance.role, real.role);
    if (cloudHosts.get(real.hostId)?.status !== 'down') field('state', instance.state, real.state);
  }
  const known = new Set(inventory.instances.map((i) => i.id));
  for (const real of cloud.instances) {
    if (!known.has(real.id)) problems.push(`instance ${real.id} is not in the inventory`);
  }
  return problems;
}
