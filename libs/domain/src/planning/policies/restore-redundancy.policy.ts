import type { GroupV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { PlanContext, PolicyOutcome } from '../plan-context';
import { byPriority } from '../priority';
import { repairMember } from './member-repair';

/**
 * Bring groups back to N healthy actives and their standbys: first promote healthy standbys in place
 * of failed actives while the group is short of actives, then repair every unhealthy member (restart
 * in place, or move it off a host that is not up). Target: a group, an instance (its group) or a
 * host (every group with members on it). Members that cannot be repaired are noted; the plan is
 * blocked only when something is wrong and nothing at all can be done.
 */
export function restoreRedundancyPolicy(ctx: PlanContext): PolicyOutcome {
  const groups = targetGroups(ctx);
  if (typeof groups === 'string') return { blocked: groups };
  for (const group of groups) restoreGroup(ctx, group);
  if (!ctx.actions.length && ctx.notes.length) {
    return { blocked: `cannot restore redundancy: ${ctx.notes.join('; ')}` };
  }
  if (!ctx.actions.length) ctx.note('every targeted group is healthy: nothing to do');
  return undefined;
}

function restoreGroup(ctx: PlanContext, group: GroupV1): void {
  const members = ctx.view.members(group.id);
  // Highest priority first, for the standbys to promote and for the capacity to re-place in.
  const unhealthy = byPriority(
    members.filter((m) => !ctx.view.isHealthy(m)),
    (m) => m,
  );
  let healthyActive = members.filter((m) => m.role === 'active' && ctx.view.isHealthy(m)).length;
  ctx.check(
    `group ${group.id}: ${healthyActive} of ${group.active} healthy actives, ${members.length} members, ${unhealthy.length} unhealthy`,
  );
  if (members.length < group.active + group.standby) {
    ctx.note(
      `group ${group.id} has ${members.length} members but needs ${group.active + group.standby}; Reflex does not create instances`,
    );
  }
  const promoted = new Set<string>();
  const after = new Map<string, ActionV1>();
  for (const failed of unhealthy.filter((m) => m.role === 'active')) {
    if (healthyActive >= group.active) break;
    const standby = ctx.standbyFor(failed, [], promoted);
    if (!standby) break;
    promoted.add(standby.id);
    healthyActive += 1;
    after.set(
      failed.id,
      ctx.add('switch-over', {
        groupId: group.id,
        fromInstanceId: failed.id,
        toInstanceId: standby.id,
      }),
    );
  }
  for (const member of unhealthy) repairMember(ctx, member, after.get(member.id));
}

function targetGroups(ctx: PlanContext): GroupV1[] | string {
  const { target } = ctx.intent;
  const { view } = ctx;
  if (target.kind === 'group') {
    const group = view.group(target.id);
    return group ? [group] : `unknown group ${target.id}`;
  }
  if (target.kind === 'instance') {
    const instance = view.instance(target.id);
    if (!instance) return `unknown instance ${target.id}`;
    const group = view.groupOf(instance);
    return group ? [group] : `${instance.id} is not in a group`;
  }
  if (!view.host(target.id)) return `unknown host ${target.id}`;
  return view.groupsOnHost(target.id);
}
