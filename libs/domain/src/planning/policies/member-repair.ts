import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { PlanContext } from '../plan-context';
import { leftOut } from '../priority';

/**
 * Gives a group its failed member back: restart it in place when its host is up, otherwise move it
 * to a placed host (evacuate from a down host, live-migrate if it still runs, cold-migrate and then
 * restart otherwise). A baremetal instance cannot move, so it waits for its host; that, and finding
 * no room, is noted rather than blocking: the plan's main work (the switch-over) still stands.
 * Returns the last action added, or undefined when nothing could be done.
 */
export function repairMember(
  ctx: PlanContext,
  member: InstanceV1,
  after: ActionV1 | undefined,
  options: { sourceDown?: boolean; exclude?: readonly string[] } = {},
): ActionV1 | undefined {
  const host = ctx.view.host(member.hostId);
  const sourceDown = options.sourceDown || !host || host.status === 'down';
  if (!sourceDown && host.status === 'up') {
    return ctx.add('recover-instance', { instanceId: member.id }, [after]);
  }
  if (member.kind === 'baremetal') {
    ctx.note(
      `${member.id} is baremetal and cannot move off ${member.hostId} ` +
        `(${sourceDown ? 'down' : host.status}); it recovers when the host is restored`,
    );
    return undefined;
  }
  const placed = ctx.place(member.id, options.exclude);
  if (!placed.ok) {
    ctx.note(leftOut(ctx.view, member, placed));
    return undefined;
  }
  const move = { instanceId: member.id, fromHostId: member.hostId, toHostId: placed.hostId };
  if (sourceDown) return ctx.add('evacuate', move, [after]);
  if (member.state === 'running' || member.state === 'migrating') {
    return ctx.add('live-migrate', move, [after]);
  }
  const cold = ctx.add('cold-migrate', move, [after]);
  return ctx.add('recover-instance', { instanceId: member.id }, [cold]);
}
