import type { HostV1 } from '@reflex/contracts/inventory.v1';
import { BUCKETS, BucketLists, floorOf, NONE, utilisation } from './bucket-lists';
import type { CandidateVerdict } from './placement.types';
import { RackLevels } from './rack-levels';
import { type PerHost, Shortlist } from './shortlist';

/**
 * Accepted verdicts best first: fewest of the plan's moves already in the host's rack (so a
 * storm's evacuations spread over racks), then least loaded after the placement, then host id.
 */
export const byRank = (a: CandidateVerdict, b: CandidateVerdict): number =>
  (a.rackPlacements ?? 0) - (b.rackPlacements ?? 0) ||
  a.loadAfter! - b.loadAfter! ||
  (a.hostId < b.hostId ? -1 : 1);

/** Rounding slack: a lower bound must never come out above the load it bounds. */
const SLACK = 1e-9;

export interface SearchOptions {
  /**
   * Only the chosen host is wanted, not the verdicts behind it (the forecast): of the hosts a
   * bucket adds, only those the index cannot rule out are judged, least loaded first, until one is
   * accepted. The walk, and so the host chosen, is the same.
   */
  bestOnly?: boolean;
}

/**
 * Candidate hosts indexed by their utilisation of each resource (cpu and memory), kept current as
 * reservations land, so that the least loaded host can be found without judging every host.
 */
export class LoadIndex {
  /** Per host, the search that last visited it (`searches`): a host is judged once per search. */
  private readonly seenIn: Int32Array;
  private searches = 0;
  /** Made on the first bestOnly search: the planner's indexes, copied per plan, never need one. */
  private shortlist: Shortlist | undefined;

  private constructor(
    private readonly hosts: readonly HostV1[],
    private readonly numberOf: ReadonlyMap<string, number>,
    /** Per host, its place in host id order: the last tie-break of `byRank`. */
    private readonly idRank: Int32Array,
    private readonly offered: PerHost,
    /** What the inventory has on each host, before any reservation. */
    private readonly used: PerHost,
    /** What is taken on each host now: `used` and the reservations given by `update`. */
    private readonly taken: PerHost,
    /** Per resource, the most any host offers: a placement adds at least its need / that. */
    private readonly mostOffered: readonly number[],
    private readonly resources: readonly BucketLists[],
    private readonly levels: RackLevels,
    /** Hosts taken out of the search (failed, in a forecast) until restored. */
    private readonly absent: Uint8Array,
    private absentCount = 0,
  ) {
    this.seenIn = new Int32Array(hosts.length);
  }

  /**
   * `offered(host)` and `used(host)` give one number per each of the `resources`, in a fixed order;
   * `rackOf(host)` its rack's number (InventoryView.rackOf), by which hosts change level together.
   */
  static build(
    hosts: readonly HostV1[],
    resources: number,
    offered: (host: HostV1) => readonly number[],
    used: (host: HostV1) => readonly number[],
    rackOf: (host: HostV1) => number,
  ): LoadIndex {
    if (resources < 1) throw new RangeError(`a load index needs a resource, got ${resources}`);
    const perHost = (values: (host: HostV1) => readonly number[]): Float64Array[] => {
      const rows = hosts.map(values);
      return Array.from({ length: resources }, (_, r) => Float64Array.from(rows, (row) => row[r]));
    };
    const byId = hosts.map((_, i) => i).sort((a, b) => (hosts[a].id < hosts[b].id ? -1 : 1));
    const idRank = new Int32Array(hosts.length);
    byId.forEach((i, rank) => (idRank[i] = rank));
    const offers = perHost(offered);
    const inventory = perHost(used);
    const index = new LoadIndex(
      hosts,
      new Map(hosts.map((host, i) => [host.id, i])),
      idRank,
      offers,
      inventory,
      inventory.map((row) => row.slice()),
      offers.map((row) => row.reduce((most, o) => Math.max(most, o), 0)),
      offers.map(() => BucketLists.empty(hosts.length)),
      RackLevels.build(Int32Array.from(hosts, rackOf)),
      new Uint8Array(hosts.length),
    );
    hosts.forEach((_, i) => index.place(i, []));
    return index;
  }

  /** Hosts the search may judge. */
  get size(): number {
    return this.hosts.length - this.absentCount;
  }

  /** An index to update on its own: the hosts are shared, their places are not. */
  copy(): LoadIndex {
    return new LoadIndex(
      this.hosts,
      this.numberOf,
      this.idRank,
      this.offered,
      this.used,
      this.taken.map((row) => row.slice()),
      this.mostOffered,
      this.resources.map((r) => r.copy()),
      this.levels.copy(),
      this.absent.slice(),
      this.absentCount,
    );
  }

  /**
   * Takes host number `i` out of the search, as if it were not up: a forecast fails a domain's
   * hosts on one index and restores them after, instead of building an index per domain.
   */
  remove(i: number): void {
    if (this.absent[i]) return;
    this.absent[i] = 1;
    this.absentCount += 1;
    this.levels.count(i, false);
    for (const lists of this.resources) lists.drop(i);
  }

  /** `remove` by host id; false when the index does not hold the host (or it is out already). */
  removeHost(hostId: string): boolean {
    const i = this.numberOf.get(hostId);
    if (i === undefined || this.absent[i]) return false;
    this.remove(i);
    return true;
  }

  /** Puts a removed host back, with `reserved` (per resource) taken on it besides its inventory. */
  restore(i: number, reserved: readonly number[] = []): void {
    if (!this.absent[i]) return;
    this.absent[i] = 0;
    this.absentCount -= 1;
    this.levels.count(i, true);
    this.place(i, reserved);
  }

  /**
   * Puts the hosts of `rack` on `level` (the rack's placements so far): every host of a lower level
   * is preferred to them, whatever the loads.
   */
  setRackLevel(rack: number, level: number): void {
    this.levels.setRack(rack, level);
  }

  /** The host's number in the index, undefined for a host not in it. */
  numberOfHost(hostId: string): number | undefined {
    return this.numberOf.get(hostId);
  }

  /**
   * `reserved` (per resource) is now taken on the host besides its inventory; hosts not in the
   * index, or removed from it, are ignored.
   */
  update(hostId: string, reserved: readonly number[]): void {
    const i = this.numberOf.get(hostId);
    if (i !== undefined && !this.absent[i]) this.place(i, reserved);
  }

  private place(i: number, reserved: readonly number[]): void {
    this.resources.forEach((lists, r) => {
      // Summed as the solver's capacity check sums it, so that the shortlist's load is its load.
      const taken = this.used[r][i] + (reserved[r] ?? 0);
      this.taken[r][i] = taken;
      lists.set(i, utilisation(taken, this.offered[r][i]));
    });
  }

  /**
   * The host the exhaustive rule would choose (the accepted one first by `byRank`) for an instance
   * needing `need` (per resource), judging only hosts that could be it. Levels are searched from the
   * lowest: a host accepted on one level beats every host of the levels above, so the search stops
   * at the first level with an accepted host. Within a level it walks one resource's buckets upward,
   * always the resource whose bound is higher, and stops once every host not yet judged is bound to
   * be more loaded after the placement than the best accepted so far: a host at utilisation u of a
   * resource is at least at u + need / (the most any host offers) after it. A walk that reaches its
   * end has judged (bestOnly: visited) every host of its level.
   */
  search(
    need: readonly number[],
    judge: (host: HostV1) => CandidateVerdict,
    options: SearchOptions = {},
  ): { judged: CandidateVerdict[]; best: CandidateVerdict | undefined } {
    const steps = this.mostOffered.map((most, r) => (most > 0 ? need[r] / most : 0));
    const judged: CandidateVerdict[] = [];
    if (this.searches === 0x7fffffff) {
      this.seenIn.fill(0);
      this.searches = 0;
    }
    const walk: Walk = { search: ++this.searches, need, steps, judge, judged };
    const population = this.levels.population;
    for (let level = 0; level < population.length; level++) {
      if (!population[level]) continue;
      const best = this.searchLevel(walk, level, options.bestOnly === true);
      if (best) return { judged, best };
    }
    return { judged, best: undefined };
  }

  private searchLevel(walk: Walk, level: number, bestOnly: boolean): CandidateVerdict | undefined {
    const best: Best = { verdict: undefined, host: NONE };
    const cursors = this.resources.map((lists) => this.nextBucket(lists, level, 0));
    for (;;) {
      let bound = Number.NEGATIVE_INFINITY;
      let r = 0;
      for (let resource = 0; resource < cursors.length; resource++) {
        const bucket = cursors[resource];
        if (bucket === undefined) return best.verdict;
        const atLeast = floorOf(bucket) + walk.steps[resource];
        if (atLeast > bound) {
          bound = atLeast;
          r = resource;
        }
      }
      if (best.verdict && bound - SLACK > best.verdict.loadAfter!) return best.verdict;
      const bucket = cursors[r]!;
      const lists = this.resources[r];
      if (bestOnly) this.shortlisted(walk, lists, bucket, level, best);
      else {
        for (let i = lists.first(bucket); i !== NONE; i = lists.after(i)) {
          if (this.seenIn[i] === walk.search || this.levels.level(i) !== level) continue;
          this.seenIn[i] = walk.search;
          this.judge(walk, i, best);
        }
      }
      cursors[r] = this.nextBucket(lists, level, bucket + 1);
    }
  }

  /**
   * bestOnly's visit of a bucket: its new hosts that could be ahead of the best (Shortlist) are
   * judged least loaded first, and the first accepted is ahead of all the others.
   */
  private shortlisted(
    walk: Walk,
    lists: BucketLists,
    bucket: number,
    level: number,
    best: Best,
  ): void {
    const shortlist = (this.shortlist ??= new Shortlist(
      this.hosts.length,
      this.taken,
      this.offered,
      this.idRank,
    ));
    shortlist.clear(walk.need, best.host, best.verdict?.loadAfter);
    for (let i = lists.first(bucket); i !== NONE; i = lists.after(i)) {
      if (this.seenIn[i] === walk.search || this.levels.level(i) !== level) continue;
      this.seenIn[i] = walk.search;
      shortlist.consider(i);
    }
    for (let i = shortlist.take(); i !== NONE; i = shortlist.take()) {
      if (this.judge(walk, i, best)) return;
    }
  }

  /** Judges host number `i`; an accepted host ahead of `best` becomes it (true). */
  private judge(walk: Walk, i: number, best: Best): boolean {
    const verdict = walk.judge(this.hosts[i]);
    walk.judged.push(verdict);
    if (!verdict.accepted || (best.verdict && byRank(verdict, best.verdict) >= 0)) return false;
    best.verdict = verdict;
    best.host = i;
    return true;
  }

  /** The first bucket from `from` on that holds a host of the level; undefined past the last. */
  private nextBucket(lists: BucketLists, level: number, from: number): number | undefined {
    for (let k = lists.nonEmptyFrom(from); k <= BUCKETS; k = lists.nonEmptyFrom(k + 1)) {
      for (let i = lists.first(k); i !== NONE; i = lists.after(i)) {
        if (this.levels.level(i) === level) return k;
      }
    }
    return undefined;
  }
}

/** The best accepted host of a level so far, and its number. */
interface Best {
  verdict: CandidateVerdict | undefined;
  host: number;
}

/** One search's constants. */
interface Walk {
  search: number;
  need: readonly number[];
  steps: readonly number[];
  judge: (host: HostV1) => CandidateVerdict;
  judged: CandidateVerdict[];
}
