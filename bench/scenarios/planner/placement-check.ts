import type { ActionV1, MigrateParams, SwitchOverParams } from '@reflex/contracts/plan.v1';
import type { InventoryView, PlacementConfig } from '@reflex/domain';

const MOVES = new Set(['live-migrate', 'cold-migrate', 'evacuate']);

export interface PlacementCheck {
  moves: number;
  /** Hosts over capacity x overcommit once every move is done. */
  overCapacityHosts: number;
  /** Groups with two members on one host (host anti-affinity) or in one zone (zone). */
  antiAffinityViolations: number;
  /** Moves onto a host that is not up. */
  ontoUnavailableHosts: number;
  /** Standbys promoted by more than one plan. */
  doublePromotions: number;
  /** The first few violations, in words. */
  examples: string[];
}

/**
 * Capacity, anti-affinity and promotions: what plans must never break together, whatever else
 * runs. Failovers sharing groups run side by side, so one standby promoted by two plans counts.
 */
export const violations = (c: PlacementCheck): number =>
  c.overCapacityHosts + c.antiAffinityViolations + c.ontoUnavailableHosts + c.doublePromotions;

/**
 * Checks plans against the inventory as it will be once all of them are done, recomputed from
 * scratch here rather than trusted from the planner: every instance at its destination, every host's
 * usage against its capacity x overcommit, every group's members on distinct hosts (or zones).
 */
export function checkPlacements(
  view: InventoryView,
  plans: ReadonlyArray<{ actions: readonly ActionV1[] }>,
  config: PlacementConfig,
): PlacementCheck {
  const where = new Map<string, string>();
  const promoted = new Map<string, number>();
  const examples: string[] = [];
  let moves = 0;
  let ontoUnavailableHosts = 0;
  for (const plan of plans) {
    for (const action of plan.actions) {
      if (MOVES.has(action.type)) {
        const p = action.params as MigrateParams;
        where.set(p.instanceId, p.toHostId);
        moves += 1;
        if (view.host(p.toHostId)?.status !== 'up') {
          ontoUnavailableHosts += 1;
          note(examples, `${p.instanceId} moved onto ${p.toHostId}, which is not up`);
        }
      } else if (action.type === 'switch-over') {
        const p = action.params as SwitchOverParams;
        promoted.set(p.toInstanceId, (promoted.get(p.toInstanceId) ?? 0) + 1);
      }
    }
  }
  const hostOf = (id: string, hostId: string) => where.get(id) ?? hostId;

  const used = new Map<string, { vcpus: number; memoryMb: number }>();
  for (const instance of view.instances()) {
    const h = hostOf(instance.id, instance.hostId);
    const u = used.get(h) ?? { vcpus: 0, memoryMb: 0 };
    u.vcpus += instance.resources.vcpus;
    u.memoryMb += instance.resources.memoryMb;
    used.set(h, u);
  }
  let overCapacityHosts = 0;
  for (const [hostId, u] of used) {
    const host = view.host(hostId);
    if (!host) continue;
    const vcpus = host.capacity.vcpus * config.cpuOvercommit;
    const memory = host.capacity.memoryMb * config.memoryOvercommit;
    if (u.vcpus > vcpus || u.memoryMb > memory) {
      overCapacityHosts += 1;
      note(
        examples,
        `${hostId} over capacity: ${u.vcpus}/${vcpus} vcpus, ${u.memoryMb}/${memory} MB`,
      );
    }
  }

  let antiAffinityViolations = 0;
  for (const group of view.groups()) {
    if (group.antiAffinity === 'none') continue;
    const seen = new Set<string>();
    for (const member of view.members(group.id)) {
      const h = hostOf(member.id, member.hostId);
      const key = group.antiAffinity === 'host' ? h : (view.host(h)?.zone ?? h);
      if (seen.has(key)) {
        antiAffinityViolations += 1;
        note(examples, `group ${group.id}: two members on ${group.antiAffinity} ${key}`);
        break;
      }
      seen.add(key);
    }
  }
  const doublePromotions = [...promoted.values()].filter((n) => n > 1).length;
  if (doublePromotions) note(examples, `${doublePromotions} standbys promoted by two plans`);
  return {
    moves,
    overCapacityHosts,
    antiAffinityViolations,
    ontoUnavailableHosts,
    doublePromotions,
    examples,
  };
}

function note(examples: string[], text: string): void {
  if (examples.length < 5) examples.push(text);
}

export function describeCheck(c: PlacementCheck): string {
  const found =
    `${c.moves} moves checked: ${c.overCapacityHosts} hosts over capacity, ` +
    `${c.antiAffinityViolations} groups breaking anti-affinity, ` +
    `${c.ontoUnavailableHosts} moves onto hosts not up, ${c.doublePromotions} standbys promoted twice`;
  return c.examples.length ? `${found} (e.g. ${c.examples.join('; ')})` : found;
}
