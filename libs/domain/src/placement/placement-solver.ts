import { summarizeCandidates } from './candidate-summary';
import type { HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';
import { hostLoad } from '../inventory/host-load';
import type {
  CandidateVerdict,
  PlacementConfig,
  PlacementConstraint,
  PlacementRequest,
  PlacementResult,
  Rejection,
  Reservation,
} from './placement.types';

interface Usage {
  vcpus: number;
  memoryMb: number;
}

/**
 * Chooses a destination for one instance at a time, remembering every placement it has made so the
 * next one in the same plan sees it. Build one solver per plan, seeded with the reservations of all
 * in-flight plans.
 *
 * Order of preference: least loaded after the placement (the higher of cpu and memory utilisation
 * against overcommitted capacity), then host id, so equal inventories give equal plans.
 */
export class PlacementSolver {
  private readonly reserved = new Map<string, Usage>();
  /** Where an instance will be once in-flight moves finish: anti-affinity must look there. */
  private readonly plannedHost = new Map<string, string>();
  private readonly own: Reservation[] = [];

  constructor(
    private readonly view: InventoryView,
    private readonly config: PlacementConfig,
    reservations: readonly Reservation[],
    private readonly planId: string,
  ) {
    for (const r of reservations) this.record(r);
  }

  /** This plan's own placements, as the reservations other plans must respect. */
  reservations(): Reservation[] {
    return [...this.own];
  }

  /** Where the instance will be once this plan's and in-flight plans' moves are done. */
  locationOf(instance: InstanceV1): string {
    return this.plannedHost.get(instance.id) ?? instance.hostId;
  }

  place(request: PlacementRequest): PlacementResult {
    const instance = this.view.instance(request.instanceId);
    if (!instance)
      return this.blocked(request.instanceId, null, ['unknown-instance'], 'unknown instance', []);
    if (instance.kind === 'baremetal') {
      return this.blocked(
        instance.id,
        instance.hostId,
        ['baremetal'],
        'baremetal cannot migrate',
        [],
      );
    }
    const source = this.view.host(instance.hostId);
    const candidates = this.view.hosts().map((host) => this.judge(instance, source, host, request));
    const fits = candidates
      .filter((c) => c.accepted)
      .sort((a, b) => a.loadAfter! - b.loadAfter! || (a.hostId < b.hostId ? -1 : 1));
    const best = fits[0];
    if (best) {
      const reservation = this.ownReservation(instance, best.hostId);
      this.record(reservation);
      this.own.push(reservation);
      return {
        ok: true,
        instanceId: instance.id,
        fromHostId: instance.hostId,
        hostId: best.hostId,
        loadAfter: best.loadAfter!,
        ...summarizeCandidates(candidates, fits),
      };
    }
    return this.explainNoFit(instance, source, candidates);
  }

  private judge(
    instance: InstanceV1,
    source: HostV1 | undefined,
    host: HostV1,
    request: PlacementRequest,
  ): CandidateVerdict {
    const reasons: Rejection[] = [];
    if (host.id === instance.hostId) {
      reasons.push({ code: 'source-host', message: 'source host' });
    } else if (request.excludeHostIds?.includes(host.id)) {
      reasons.push({ code: 'excluded', message: 'excluded: being drained or evacuated' });
    }
    if (host.status !== 'up') {
      reasons.push({
        code: 'not-up',
        message: `status ${host.status}; only up hosts take placements`,
      });
    }
    if (source && host.hypervisor !== source.hypervisor) {
      reasons.push({
        code: 'hypervisor',
        message: `hypervisor ${host.hypervisor}, instance runs on ${source.hypervisor}`,
      });
    }
    const capacity = this.capacityCheck(instance, host);
    reasons.push(...capacity.reasons, ...this.antiAffinityCheck(instance, host));
    return reasons.length
      ? { hostId: host.id, accepted: false, reasons }
      : { hostId: host.id, accepted: true, reasons, loadAfter: capacity.loadAfter };
  }

  private capacityCheck(
    instance: InstanceV1,
    host: HostV1,
  ): { reasons: Rejection[]; loadAfter: number } {
    const load = hostLoad(this.view, host.id);
    const reserved = this.reserved.get(host.id) ?? { vcpus: 0, memoryMb: 0 };
    const dims = [
      ['vcpus', this.config.cpuOvercommit] as const,
      ['memoryMb', this.config.memoryOvercommit] as const,
    ];
    const reasons: Rejection[] = [];
    let loadAfter = 0;
    for (const [dim, ratio] of dims) {
      const offered = host.capacity[dim] * ratio;
      const used = load.used[dim] + reserved[dim];
      const need = instance.resources[dim];
      const after = used + need;
      loadAfter = Math.max(loadAfter, offered > 0 ? after / offered : Number.POSITIVE_INFINITY);
      if (after > offered) {
        reasons.push({
          code: dim === 'vcpus' ? 'vcpus' : 'memory',
          message:
            `${dim}: needs ${need}, free ${offered - used} of ${offered} ` +
            `(${host.capacity[dim]} x ${ratio} overcommit; ${used} used incl. ${reserved[dim]} reserved)`,
        });
      }
    }
    return { reasons, loadAfter };
  }

  private antiAffinityCheck(instance: InstanceV1, host: HostV1): Rejection[] {
    const group = this.view.groupOf(instance);
    if (!group || group.antiAffinity === 'none') return [];
    const reasons: Rejection[] = [];
    for (const member of this.view.members(group.id)) {
      if (member.id === instance.id) continue;
      const where = this.locationOf(member);
      if (group.antiAffinity === 'host' && where === host.id) {
        reasons.push({
          code: 'anti-affinity-host',
          message: `anti-affinity (host): group ${group.id} member ${member.id} is or will be on ${where}`,
        });
      }
      const zone = this.view.host(where)?.zone;
      if (group.antiAffinity === 'zone' && zone === host.zone) {
        reasons.push({
          code: 'anti-affinity-zone',
          message: `anti-affinity (zone): group ${group.id} member ${member.id} is or will be in ${zone} (${where})`,
        });
      }
    }
    return reasons;
  }

  private explainNoFit(
    instance: InstanceV1,
    source: HostV1 | undefined,
    candidates: CandidateVerdict[],
  ): PlacementResult {
    const basic = new Set(['not-up', 'source-host', 'excluded', 'hypervisor']);
    const eligible = candidates.filter((c) => c.reasons.every((r) => !basic.has(r.code)));
    if (!eligible.length) {
      const hv = source?.hypervisor ?? 'unknown';
      return this.blocked(
        instance.id,
        instance.hostId,
        ['no-eligible-host'],
        `no other up host with hypervisor ${hv}`,
        candidates,
      );
    }
    const constraints = new Set<PlacementConstraint>();
    for (const c of eligible) {
      for (const r of c.reasons) {
        constraints.add(r.code.startsWith('anti-affinity') ? 'anti-affinity' : 'capacity');
      }
    }
    const sorted = [...constraints].sort();
    const shown = eligible.slice(0, 10);
    const more =
      eligible.length > shown.length ? ` | and ${eligible.length - shown.length} more` : '';
    const detail =
      shown.map((c) => `${c.hostId}: ${c.reasons.map((r) => r.message).join('; ')}`).join(' | ') +
      more;
    return this.blocked(
      instance.id,
      instance.hostId,
      sorted,
      `${sorted.join(', ')} (${detail})`,
      candidates,
    );
  }

  private blocked(
    instanceId: string,
    fromHostId: string | null,
    constraints: PlacementConstraint[],
    detail: string,
    candidates: CandidateVerdict[],
  ): PlacementResult {
    return {
      ok: false,
      instanceId,
      fromHostId,
      constraints,
      reason: `no host for ${instanceId}: ${detail}`,
      ...summarizeCandidates(candidates, []),
    };
  }

  private ownReservation(instance: InstanceV1, hostId: string): Reservation {
    return {
      planId: this.planId,
      hostId,
      vcpus: instance.resources.vcpus,
      memoryMb: instance.resources.memoryMb,
      instanceId: instance.id,
      groupId: instance.groupId ?? null,
    };
  }

  private record(r: Reservation): void {
    const usage = this.reserved.get(r.hostId) ?? { vcpus: 0, memoryMb: 0 };
    this.reserved.set(r.hostId, {
      vcpus: usage.vcpus + r.vcpus,
      memoryMb: usage.memoryMb + r.memoryMb,
    });
    this.plannedHost.set(r.instanceId, r.hostId);
  }
}
