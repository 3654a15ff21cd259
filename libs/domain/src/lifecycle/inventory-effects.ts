import type { HostV1, InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { isAction, isMove } from '../planning/action-params';

export type InventoryChange =
  | { kind: 'instance'; id: string; set: Partial<Pick<InstanceV1, 'hostId' | 'state' | 'role'>> }
  | {
      kind: 'host';
      id: string;
      set: Partial<Pick<HostV1, 'status'>>;
      /** Applied only while the host has this status (so a host already down stays down). */
      ifStatus?: HostV1['status'];
    };

/**
 * How the inventory changes once an action has succeeded. Live migration and evacuation leave the
 * instance running on its new host; a cold migration only moves it (its power state is whatever it
 * was; the plan restarts it with recover-instance when needed). A fenced host is powered off or
 * cut off, so it is down, whatever becomes of the set-host-status after it: without that, a failover
 * whose set-host-status missed its deadline left a dead host `up` in the inventory, with its
 * instances `running`, though they were gone.
 */
export function inventoryEffects(action: ActionV1): InventoryChange[] {
  if (isMove(action)) {
    const { instanceId, toHostId } = action.params;
    return action.type === 'cold-migrate'
      ? [{ kind: 'instance', id: instanceId, set: { hostId: toHostId } }]
      : [{ kind: 'instance', id: instanceId, set: { hostId: toHostId, state: 'running' } }];
  }
  if (isAction(action, 'switch-over')) {
    return [
      { kind: 'instance', id: action.params.fromInstanceId, set: { role: 'standby' } },
      { kind: 'instance', id: action.params.toInstanceId, set: { role: 'active' } },
    ];
  }
  if (isAction(action, 'recover-instance')) {
    return [{ kind: 'instance', id: action.params.instanceId, set: { state: 'running' } }];
  }
  if (isAction(action, 'fence-host')) {
    return [{ kind: 'host', id: action.params.hostId, set: { status: 'down' } }];
  }
  if (isAction(action, 'set-host-status')) {
    return [{ kind: 'host', id: action.params.hostId, set: { status: action.params.status } }];
  }
  return [];
}

/** Applies changes to a copy of the inventory; changes to objects it does not hold are ignored. */
export function applyInventoryChanges(
  inventory: InventoryV1,
  changes: readonly InventoryChange[],
): InventoryV1 {
  const hosts = inventory.hosts.map((h) => ({ ...h }));
  const instances = inventory.instances.map((i) => ({ ...i }));
  for (const change of changes) {
    if (change.kind === 'host') {
      const host = hosts.find((h) => h.id === change.id);
      if (host && (!change.ifStatus || host.status === change.ifStatus)) {
        Object.assign(host, change.set);
      }
    } else {
      const instance = instances.find((i) => i.id === change.id);
      if (instance) Object.assign(instance, change.set);
    }
  }
  return { hosts, instances, groups: inventory.groups.map((g) => ({ ...g })) };
}
