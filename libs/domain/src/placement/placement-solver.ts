import type { HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { InventoryView } from '../inventory/inventory-view';
import { candidateJudge, NOTHING, type JudgeState, type Usage } from './candidate-judge';
import {
  MAX_RECORDED_CANDIDATES,
  summarizeCandidates,
  type UnjudgedHosts,
} from './candidate-summary';
import { candidatePool, RESOURCES, type CandidatePool } from './candidate-pool';
import { byRank } from './load-index';
import { blocked, explainNoFit } from './no-fit';
import type { SharedPools } from './shared-pools';
import type {
  CandidateVerdict,
  PlacementConfig,
  PlacementRequest,
  PlacementResult,
  Reservation,
} from './placement.types';

export interface SolverOptions {
  /** Update these pools in place instead of copying the view's (see SharedPools). */
  shared?: SharedPools;
  /**
   * false: a placement made carries no candidate verdicts. The forecast reads only where each
   * instance goes, and ranking and summarising the judged hosts cost as much as the search.
   */
  explainPlaced?: boolean;
}

/**
 * Chooses a destination for one instance at a time, remembering every placement it has made so the
 * next one in the same plan sees it. Build one solver per plan, seeded with the reservations of all
 * in-flight plans.
 *
 * Order of preference: the rack that has received the fewest of this plan's moves (a storm's
 * evacuations spread over racks instead of filling the few least-loaded hosts, so one more rack
 * failing takes fewer of them down again), then least loaded after the placement (the higher of
 * cpu and memory utilisation against overcommitted capacity), then host id, so equal inventories
 * give equal plans. Hosts are judged rack level by rack level from the least loaded on, and only
 * as far as one could still be preferred (LoadIndex). In-flight plans' moves count as load, not
 * per rack: counting them too made a 500-host storm's planning about 60% slower (issue 15).
 */
export class PlacementSolver {
  private reserved = new Map<string, Usage>();
  /** Where an instance will be once in-flight moves finish: anti-affinity must look there. */
  private plannedHost = new Map<string, string>();
  /** The members of each group that have a planned host, for anti-affinity. */
  private movedByGroup = new Map<string, InstanceV1[]>();
  /** This plan's moves per rack (InventoryView.rackOf): the level of the rack's hosts in the indexes. */
  private readonly rackPlacements: Int32Array;
  /** The racks with a move reserved, each once. */
  private readonly racksPlaced: number[] = [];
  private readonly own: Reservation[] = [];
  /** Per source hypervisor (undefined: source host unknown, any goes); built on first use. */
  private pools = new Map<string | undefined, CandidatePool>();

  private readonly shared: SharedPools | undefined;
  /** What the verdicts read of this solver, as it stands when they are made. */
  private readonly state: JudgeState;

  constructor(
    private readonly view: InventoryView,
    readonly config: PlacementConfig,
    reservations: readonly Reservation[],
    private readonly planId: string,
    private readonly options: SolverOptions = {},
  ) {
    this.shared = options.shared;
    this.rackPlacements = new Int32Array(view.rackCount);
    this.state = {
      reservedOn: (hostId) => this.reserved.get(hostId) ?? NOTHING,
      rackPlacements: this.rackPlacements,
      locationOf: (member) => this.locationOf(member),
      moved: (groupId) => this.movedByGroup.get(groupId) ?? [],
    };
    for (const r of reservations) this.reserve(r);
  }

  /**
   * The solver of the next plan in a sequence, as if built with this one's reservations and its
   * own placements as in-flight ones: they stay reserved, without being reserved again, and only
   * the per-plan rack counts start over. The forecast plans a zone's 500 hosts one after another;
   * reserving every earlier plan's moves anew made that quadratic. This solver is done with.
   */
  next(planId: string): PlacementSolver {
    const next = new PlacementSolver(this.view, this.config, [], planId, this.options);
    next.reserved = this.reserved;
    next.plannedHost = this.plannedHost;
    next.movedByGroup = this.movedByGroup;
    next.pools = this.pools;
    for (const pool of this.pools.values()) {
      for (const rack of this.racksPlaced) next.relevel(pool, rack);
    }
    return next;
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
      return blocked(request.instanceId, null, ['unknown-instance'], 'unknown instance', []);
    if (instance.kind === 'baremetal') {
      return blocked(instance.id, instance.hostId, ['baremetal'], 'baremetal cannot migrate', []);
    }
    const source = this.view.host(instance.hostId);
    const judge = candidateJudge(this.view, this.config, instance, source, request, this.state);
    const pool = this.poolFor(source?.hypervisor);
    const need = RESOURCES.map((r) => instance.resources[r.dim]);
    if (this.options.explainPlaced === false) {
      const { best } = pool.index.search(need, judge, { bestOnly: true });
      if (best) {
        this.record(this.ownReservation(instance, best.hostId), instance);
        const { hostId, loadAfter } = best;
        return {
          ok: true,
          instanceId: instance.id,
          fromHostId: instance.hostId,
          hostId,
          loadAfter: loadAfter!,
          candidates: [],
        };
      }
      // No host: explained as below, from every verdict, which bestOnly did not make.
    }
    const { judged, best } = pool.index.search(need, judge);
    const { candidates, unjudged } = this.recorded(judged, judge, pool);
    if (best) {
      this.record(this.ownReservation(instance, best.hostId), instance);
      const ranked = candidates.filter((c) => c.accepted).sort(byRank);
      return {
        ok: true,
        instanceId: instance.id,
        fromHostId: instance.hostId,
        hostId: best.hostId,
        loadAfter: best.loadAfter!,
        ...summarizeCandidates(candidates, ranked, unjudged),
      };
    }
    return explainNoFit(instance, source, candidates, unjudged);
  }

  /**
   * The verdicts the explanation draws on, by host id. A small cloud's audit shows every host, so
   * there the hosts the search did not need are judged too; a large cloud's counts them instead.
   */
  private recorded(
    judged: CandidateVerdict[],
    judge: (host: HostV1) => CandidateVerdict,
    pool: CandidatePool,
  ): { candidates: CandidateVerdict[]; unjudged?: UnjudgedHosts } {
    if (this.view.hostCount <= MAX_RECORDED_CANDIDATES) {
      const byHost = new Map(judged.map((v) => [v.hostId, v]));
      return { candidates: this.view.hosts().map((h) => byHost.get(h.id) ?? judge(h)) };
    }
    const candidates = [...judged].sort((a, b) => (a.hostId < b.hostId ? -1 : 1));
    const notJudged = pool.index.size - judged.length;
    return { candidates, unjudged: { ...pool.turnedDown, notJudged } };
  }

  /** The view's pool for the hypervisor, with this solver's reservations applied to its index. */
  private poolFor(hypervisor: string | undefined): CandidatePool {
    let pool = this.pools.get(hypervisor);
    if (pool) return pool;
    if (this.shared) pool = this.shared.pool(hypervisor);
    else {
      const shared = candidatePool(this.view, this.config, hypervisor);
      pool = { ...shared, index: shared.index.copy() };
    }
    for (const hostId of this.reserved.keys()) this.reindex(pool, hostId);
    for (const rack of this.racksPlaced) this.relevel(pool, rack);
    this.pools.set(hypervisor, pool);
    return pool;
  }

  private relevel(pool: CandidatePool, rack: number): void {
    this.shared?.touchRack(rack);
    pool.index.setRackLevel(rack, this.rackPlacements[rack]);
  }

  private reindex(pool: CandidatePool, hostId: string): void {
    this.shared?.touch(hostId);
    const reserved = this.reserved.get(hostId) ?? NOTHING;
    pool.index.update(
      hostId,
      RESOURCES.map((r) => reserved[r.dim]),
    );
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

  /** A placement of this plan: reserved, kept as the plan's own, its host moved in the indexes. */
  private record(r: Reservation, instance: InstanceV1): void {
    this.reserve(r, instance);
    this.own.push(r);
    const rack = this.view.rackOf(r.hostId);
    if (rack !== undefined && this.rackPlacements[rack]++ === 0) this.racksPlaced.push(rack);
    for (const pool of this.pools.values()) {
      this.reindex(pool, r.hostId);
      if (rack !== undefined) this.relevel(pool, rack);
    }
  }

  /** `instance`: the reserved one, when the caller has it (the view's, by r.instanceId). */
  private reserve(r: Reservation, instance?: InstanceV1): void {
    const usage = this.reserved.get(r.hostId);
    if (usage) {
      usage.vcpus += r.vcpus;
      usage.memoryMb += r.memoryMb;
    } else this.reserved.set(r.hostId, { vcpus: r.vcpus, memoryMb: r.memoryMb });
    if (!this.plannedHost.has(r.instanceId)) {
      // The group from the inventory: a reservation's own groupId is only a copy of it.
      const member = instance ?? this.view.instance(r.instanceId);
      const groupId = member?.groupId;
      if (groupId) {
        const moved = this.movedByGroup.get(groupId);
        if (moved) moved.push(member);
        else this.movedByGroup.set(groupId, [member]);
      }
    }
    this.plannedHost.set(r.instanceId, r.hostId);
  }
}
