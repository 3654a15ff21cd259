import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { PlanContext, PolicyOutcome } from '../plan-context';
import { byPriority } from '../priority';
import { largestFirst } from './host-drain.policy';
import { keepSurvivable } from './keep-survivable';

/**
 * Proactive move off a host that still runs but is degrading (or off one instance): running VMs
 * live-migrate, stopped ones cold-migrate. The host is disabled first (`disableHost`, default true)
 * so the next placement does not put work back on it; it is not put in maintenance, that is a
 * drain's job. Baremetal instances cannot move and are reported. A VM with nowhere to go blocks the
 * plan: nothing is down yet, so a partial move would only spend the operator's attention. So does
 * leaving a domain unsurvivable, with `keepSurvivable`.
 */
export function migrateOffPolicy(ctx: PlanContext): PolicyOutcome {
  return migrateOff(ctx) ?? keepSurvivable(ctx);
}

function migrateOff(ctx: PlanContext): PolicyOutcome {
  const { target } = ctx.intent;
  if (target.kind === 'instance') {
    const instance = ctx.view.instance(target.id);
    if (!instance) return { blocked: `unknown instance ${target.id}` };
    if (instance.kind === 'baremetal') {
      return { blocked: `${instance.id} is baremetal: it cannot migrate, only switch over` };
    }
    return move(ctx, instance, undefined);
  }
  const host = target.kind === 'host' ? ctx.view.host(target.id) : undefined;
  if (!host)
    return {
      blocked: `migrate-off needs a known host or instance, got ${target.kind} ${target.id}`,
    };
  if (host.status === 'down') return { blocked: `${host.id} is down: it needs host-failover` };

  const disable =
    host.status === 'up' && ctx.flag('disableHost', true)
      ? ctx.setHostStatus(host.id, 'disabled', host.status)
      : undefined;
  const instances = ctx.view.instancesOn(host.id);
  for (const bm of instances.filter((i) => i.kind === 'baremetal')) {
    ctx.note(`baremetal ${bm.id} cannot migrate off ${host.id}`);
  }
  // Placed largest first (packs best), moved highest priority first (starts first).
  const moves: { vm: InstanceV1; toHostId: string }[] = [];
  for (const vm of largestFirst(instances.filter((i) => i.kind === 'vm'))) {
    const placed = ctx.place(vm.id);
    if (!placed.ok) return { blocked: placed.reason };
    moves.push({ vm, toHostId: placed.hostId });
  }
  for (const { vm, toHostId } of byPriority(moves, (m) => m.vm))
    addMove(ctx, vm, toHostId, disable);
  return undefined;
}

function move(ctx: PlanContext, vm: InstanceV1, after: ActionV1 | undefined): PolicyOutcome {
  const placed = ctx.place(vm.id);
  if (!placed.ok) return { blocked: placed.reason };
  addMove(ctx, vm, placed.hostId, after);
  return undefined;
}

function addMove(
  ctx: PlanContext,
  vm: InstanceV1,
  toHostId: string,
  after: ActionV1 | undefined,
): void {
  const type = vm.state === 'running' || vm.state === 'migrating' ? 'live-migrate' : 'cold-migrate';
  ctx.add(type, { instanceId: vm.id, fromHostId: vm.hostId, toHostId }, [after]);
}
