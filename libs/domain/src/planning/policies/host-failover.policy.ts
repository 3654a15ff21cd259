import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { PlanContext, PolicyOutcome } from '../plan-context';
import { byPriority } from '../priority';
import { repairMember } from './member-repair';

/**
 * A host is gone. Fence it first so nothing it still runs can split-brain with what we start
 * elsewhere, mark it down, then in parallel: switch over every active that has a healthy standby,
 * evacuate every other VM, and re-place the members that lost their standby role on the dead host.
 *
 * Unlike the other policies, an instance that cannot be saved (baremetal without standby, or no
 * room anywhere) is reported in the reason and the rest proceeds: the host is already down, and
 * refusing the whole plan would leave down what could have been saved.
 *
 * When there is not room for all, priority decides (CONTRACT §9): instances are taken highest
 * priority first, for standbys to promote and for free capacity, and their actions come first in
 * the plan, so they also start first.
 */
export function hostFailoverPolicy(ctx: PlanContext): PolicyOutcome {
  const host = ctx.view.host(ctx.intent.target.id);
  if (ctx.intent.target.kind !== 'host' || !host) {
    return {
      blocked: `host-failover needs a known host, got ${ctx.intent.target.kind} ${ctx.intent.target.id}`,
    };
  }
  const fence = ctx.add('fence-host', { hostId: host.id });
  const down =
    host.status === 'down' ? fence : ctx.setHostStatus(host.id, 'down', host.status, [fence]);

  const promoted = new Set<string>();
  const switched: { former: InstanceV1; switchOver: ActionV1 }[] = [];
  const outages: InstanceV1[] = [];
  const redundancy: InstanceV1[] = [];

  for (const instance of byPriority(ctx.view.instancesOn(host.id), (i) => i)) {
    const standby =
      instance.role === 'active' ? ctx.standbyFor(instance, [host.id], promoted) : undefined;
    if (standby) {
      promoted.add(standby.id);
      ctx.check(
        `group ${instance.groupId}: promote ${standby.id} (${standby.hostId}) in place of ${instance.id}`,
      );
      const switchOver = ctx.add(
        'switch-over',
        { groupId: instance.groupId!, fromInstanceId: instance.id, toInstanceId: standby.id },
        [down],
      );
      switched.push({ former: instance, switchOver });
    } else if (instance.role === 'standby') {
      redundancy.push(instance);
    } else {
      if (instance.role === 'active') {
        ctx.note(`group ${instance.groupId} has no healthy standby for ${instance.id}`);
      }
      outages.push(instance);
    }
  }

  // Among equal priorities, instances that are down right now get first pick of the free
  // capacity; members that only restore a group's standby come after them.
  const moves = byPriority(
    [
      ...outages.map((instance) => ({ instance, after: down })),
      ...switched.map(({ former, switchOver }) => ({ instance: former, after: switchOver })),
      ...redundancy.map((instance) => ({ instance, after: down })),
    ],
    (m) => m.instance,
  );
  for (const { instance, after } of moves) {
    repairMember(ctx, instance, after, { sourceDown: true });
  }
  return undefined;
}
