import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { PlanContext } from '../plan-context';

/**
 * Projects every group with members on the host to its state after the drain and refuses a drain
 * that costs a group: healthy actives below N, or (unless `allowNoStandby`) standbys below the
 * group's count. VMs keep their health (they move to an up host); baremetal members on the host do
 * not (they stay on it through maintenance); switch-overs swap roles.
 *
 * A group already short before the drain is only refused if the drain makes it shorter still:
 * maintenance on one host should not wait on an unrelated member failing elsewhere.
 */
export function projectGroups(
  ctx: PlanContext,
  hostId: string,
  switchOvers: readonly { from: InstanceV1; to: InstanceV1 }[],
): string | undefined {
  const allowNoStandby = ctx.flag('allowNoStandby');
  const newRole = new Map<string, 'active' | 'standby'>();
  for (const { from, to } of switchOvers) {
    newRole.set(from.id, 'standby');
    newRole.set(to.id, 'active');
  }
  for (const group of ctx.view.groupsOnHost(hostId)) {
    const members = ctx.view.members(group.id);
    const count = (
      role: string,
      healthy: (m: InstanceV1) => boolean,
      roleOf: (m: InstanceV1) => unknown,
    ) => members.filter((m) => roleOf(m) === role && healthy(m)).length;
    const healthyNow = (m: InstanceV1) => ctx.view.isHealthy(m);
    const healthyAfter = (m: InstanceV1) =>
      m.hostId !== hostId ? healthyNow(m) : m.kind === 'vm' && m.state === 'running';
    const roleNow = (m: InstanceV1) => m.role;
    const roleAfter = (m: InstanceV1) => newRole.get(m.id) ?? m.role;

    const activeBefore = count('active', healthyNow, roleNow);
    const activeAfter = count('active', healthyAfter, roleAfter);
    const standbyBefore = count('standby', healthyNow, roleNow);
    const standbyAfter = count('standby', healthyAfter, roleAfter);
    ctx.check(
      `group ${group.id}: healthy actives ${activeBefore}->${activeAfter} (needs ${group.active}), ` +
        `healthy standbys ${standbyBefore}->${standbyAfter} (needs ${group.standby})`,
    );
    if (activeAfter < group.active && activeAfter < activeBefore) {
      return `draining ${hostId} would leave group ${group.id} with ${activeAfter} of ${group.active} healthy actives`;
    }
    if (standbyAfter < group.standby && standbyAfter < standbyBefore) {
      const message = `draining ${hostId} would leave group ${group.id} with ${standbyAfter} of ${group.standby} healthy standbys`;
      if (!allowNoStandby) return `${message} (set allowNoStandby to drain anyway)`;
      ctx.note(`${message}; allowed by the rule (allowNoStandby)`);
    }
  }
  return undefined;
}
