import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { PlanContext, PolicyOutcome } from '../plan-context';
import { repairMember } from './member-repair';

/**
 * Promote a healthy standby in place of a failed active, then give the group a standby back by
 * recovering (or re-placing) the failed member. Target: the failed instance, or a group (its first
 * unhealthy active).
 */
export function switchOverPolicy(ctx: PlanContext): PolicyOutcome {
  const failed = failedActive(ctx);
  if (typeof failed === 'string') return { blocked: failed };
  const groupId = failed.groupId!;
  const standby = ctx.standbyFor(failed, [], new Set());
  if (!standby) {
    return { blocked: `no healthy standby in group ${groupId} to take over from ${failed.id}` };
  }
  ctx.check(
    `group ${groupId}: promote standby ${standby.id} (${standby.hostId}) in place of ${failed.id} (${failed.hostId})`,
  );
  const switchOver = ctx.add('switch-over', {
    groupId,
    fromInstanceId: failed.id,
    toInstanceId: standby.id,
  });
  repairMember(ctx, failed, switchOver);
  return undefined;
}

function failedActive(ctx: PlanContext): InstanceV1 | string {
  const { target } = ctx.intent;
  if (target.kind === 'instance') {
    const instance = ctx.view.instance(target.id);
    if (!instance) return `unknown instance ${target.id}`;
    if (!instance.groupId || !ctx.view.group(instance.groupId)) {
      return `${instance.id} is not in a group: there is no standby to switch over to`;
    }
    if (instance.role !== 'active')
      return `${instance.id} is not an active member of ${instance.groupId}`;
    return instance;
  }
  if (target.kind === 'group') {
    if (!ctx.view.group(target.id)) return `unknown group ${target.id}`;
    const failed = ctx.view
      .members(target.id)
      .find((m) => m.role === 'active' && !ctx.view.isHealthy(m));
    return failed ?? `group ${target.id} has no unhealthy active to switch over`;
  }
  return `switch-over targets an instance or a group, not a ${target.kind}`;
}
