import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { PlanContext, PolicyOutcome } from '../plan-context';
import { byPriority } from '../priority';
import { projectGroups } from './group-projection';
import { keepSurvivable } from './keep-survivable';

/**
 * Empty a host for maintenance without an outage: disable it (no new placements), live-migrate its
 * VMs (cold-migrate those not running), switch over baremetal actives whose standby is elsewhere,
 * and only when all that is done put it in maintenance.
 *
 * Refused, with the reason, when draining would cost a group healthy actives below N, or its
 * standby (unless `allowNoStandby`), when an ungrouped baremetal instance would go down (unless
 * `allowDowntime`), when another host holding members of the same group is draining, when a VM
 * has nowhere to go, or when it would leave a domain unsurvivable (`keepSurvivable`).
 */
export function hostDrainPolicy(ctx: PlanContext): PolicyOutcome {
  return drain(ctx) ?? keepSurvivable(ctx);
}

function drain(ctx: PlanContext): PolicyOutcome {
  const host = ctx.view.host(ctx.intent.target.id);
  if (ctx.intent.target.kind !== 'host' || !host) {
    return {
      blocked: `host-drain needs a known host, got ${ctx.intent.target.kind} ${ctx.intent.target.id}`,
    };
  }
  if (host.status === 'down')
    return { blocked: `${host.id} is down: it needs host-failover, not a drain` };

  const concurrent = concurrentDrain(ctx, host.id);
  if (concurrent) return { blocked: concurrent };

  const instances = ctx.view.instancesOn(host.id);
  const promoted = new Set<string>();
  const switchOvers: { from: InstanceV1; to: InstanceV1 }[] = [];
  for (const instance of instances.filter((i) => i.kind === 'baremetal')) {
    if (!instance.groupId) {
      if (ctx.flag('allowDowntime')) {
        ctx.note(`baremetal ${instance.id} is not in a group: it goes down with ${host.id}`);
        continue;
      }
      return {
        blocked: `baremetal ${instance.id} is not in a group and cannot move: draining ${host.id} would take it down (allowDowntime)`,
      };
    }
    if (instance.role !== 'active') continue;
    const standby = ctx.standbyFor(instance, [host.id, ...drainingHostIds(ctx)], promoted);
    if (standby) {
      promoted.add(standby.id);
      switchOvers.push({ from: instance, to: standby });
    }
  }

  const refusal = projectGroups(ctx, host.id, switchOvers);
  if (refusal) return { blocked: refusal };

  const disable =
    host.status === 'up' ? ctx.setHostStatus(host.id, 'disabled', host.status) : undefined;
  const steps: ActionV1[] = [];
  for (const { from, to } of switchOvers) {
    steps.push(
      ctx.add(
        'switch-over',
        { groupId: from.groupId!, fromInstanceId: from.id, toInstanceId: to.id },
        [disable],
      ),
    );
  }
  // Placed largest first, which packs best; moved highest priority first, which is what the
  // per-host live-migration limit lets start first.
  const moves: { vm: InstanceV1; toHostId: string }[] = [];
  for (const vm of largestFirst(instances.filter((i) => i.kind === 'vm'))) {
    const placed = ctx.place(vm.id);
    if (!placed.ok) return { blocked: `cannot drain ${host.id}: ${placed.reason}` };
    moves.push({ vm, toHostId: placed.hostId });
  }
  for (const { vm, toHostId } of byPriority(moves, (m) => m.vm)) {
    const type =
      vm.state === 'running' || vm.state === 'migrating' ? 'live-migrate' : 'cold-migrate';
    steps.push(ctx.add(type, { instanceId: vm.id, fromHostId: host.id, toHostId }, [disable]));
  }
  if (host.status !== 'maintenance') {
    const previous = disable ? 'disabled' : host.status;
    ctx.setHostStatus(host.id, 'maintenance', previous, steps.length ? steps : [disable]);
  }
  return undefined;
}

/** Largest first packs better; id breaks ties so the plan is deterministic. */
export function largestFirst(instances: InstanceV1[]): InstanceV1[] {
  return [...instances].sort(
    (a, b) =>
      b.resources.memoryMb - a.resources.memoryMb ||
      b.resources.vcpus - a.resources.vcpus ||
      (a.id < b.id ? -1 : 1),
  );
}

function drainingHostIds(ctx: PlanContext): string[] {
  return (ctx.inFlight.drainingHosts ?? []).map((d) => d.hostId);
}

/** Two hosts holding members of one group never drain at once: together they could empty it. */
function concurrentDrain(ctx: PlanContext, hostId: string): string | undefined {
  const groups = ctx.view.groupsOnHost(hostId);
  for (const other of ctx.inFlight.drainingHosts ?? []) {
    if (other.hostId === hostId) continue;
    for (const group of groups) {
      const shared = ctx.view.members(group.id).find((m) => m.hostId === other.hostId);
      if (shared) {
        return `${other.hostId} is draining (plan ${other.planId}) and holds ${shared.id} of group ${group.id}, which also has members on ${hostId}`;
      }
    }
  }
  return undefined;
}
