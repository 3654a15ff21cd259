import type { HostV1 } from '@reflex/contracts/inventory.v1';
import { BucketLists, floorOf, NONE } from './bucket-lists';
import type { CandidateVerdict } from './placement.types';

/**
 * Accepted verdicts best first: fewest of the plan's moves already in the host's rack (so a
 * storm's evacuations spread over racks), then least loaded after the placement, then host id.
 */
export const byRank = (a: CandidateVerdict, b: CandidateVerdict): number =>
  (a.rackPlacements ?? 0) - (b.rackPlacements ?? 0) ||
  a.loadAfter! - b.loadAfter! ||
  (a.hostId < b.hostId ? -1 : 1);

/** Share of what a host offers that is taken; a host that offers nothing is full. */
export const utilisation = (used: number, offered: number): number =>
  offered > 0 ? used / offered : Number.POSITIVE_INFINITY;

/** Per resource, one number per host (by the index's numbering). */
type PerHost = readonly Float64Array[];

/** Rounding slack: a lower bound must never come out above the load it bounds. */
const SLACK = 1e-9;

export interface SearchOptions {
  /**
   * Only the chosen host is wanted, not the verdicts behind it (the forecast): a host the index
   * can tell will not be chosen, being over capacity or not ahead of the best so far on load and
   * id, is passed over without judging it. The walk, and so the host chosen, is the same.
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

  private constructor(
    private readonly hosts: readonly HostV1[],
    private readonly numberOf: ReadonlyMap<string, number>,
    private readonly offered: PerHost,
    /** What the inventory has on each host, before any reservation. */
    private readonly used: PerHost,
    /** What is taken on each host now: `used` and the reservations given by `update`. */
    private readonly taken: PerHost,
    /** Per resource, the most any host offers: a placement adds at least its need / that. */
    private readonly mostOffered: readonly number[],
    private readonly resources: readonly BucketLists[],
    /** How many hosts are on each level; the levels are searched from the lowest up. */
    private readonly population: number[],
    private readonly levelOf: Int32Array,
    /** Hosts taken out of the search (failed, in a forecast) until restored. */
    private readonly absent: Uint8Array,
    private absentCount = 0,
  ) {
    this.seenIn = new Int32Array(hosts.length);
  }

  /** `offered(host)` and `used(host)` give one number per each of the `resources`, in a fixed order. */
  static build(
    hosts: readonly HostV1[],
    resources: number,
    offered: (host: HostV1) => readonly number[],
    used: (host: HostV1) => readonly number[],
  ): LoadIndex {
    if (resources < 1) throw new RangeError(`a load index needs a resource, got ${resources}`);
    const perHost = (values: (host: HostV1) => readonly number[]): Float64Array[] => {
      const rows = hosts.map(values);
      return Array.from({ length: resources }, (_, r) => Float64Array.from(rows, (row) => row[r]));
    };
    const offers = perHost(offered);
    const inventory = perHost(used);
    const index = new LoadIndex(
      hosts,
      new Map(hosts.map((host, i) => [host.id, i])),
      offers,
      inventory,
      inventory.map((row) => row.slice()),
      offers.map((row) => row.reduce((most, o) => Math.max(most, o), 0)),
      offers.map(() => BucketLists.empty(hosts.length)),
      [hosts.length],
      new Int32Array(hosts.length),
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
      this.offered,
      this.used,
      this.taken.map((row) => row.slice()),
      this.mostOffered,
      this.resources.map((r) => r.copy()),
      [...this.population],
      this.levelOf.slice(),
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
    this.population[this.levelOf[i]] -= 1;
    for (const lists of this.resources) lists.drop(i);
  }

  /** Puts a removed host back, with `reserved` (per resource) taken on it besides its inventory. */
  restore(i: number, reserved: readonly number[] = []): void {
    if (!this.absent[i]) return;
    this.absent[i] = 0;
    this.absentCount -= 1;
    this.population[this.levelOf[i]] += 1;
    this.place(i, reserved);
  }

  /**
   * Puts host number `i` on `level` (its rack's placements so far): every host of a lower level
   * is preferred to it, whatever the loads.
   */
  setLevel(i: number, level: number): void {
    const from = this.levelOf[i];
    if (from === level) return;
    while (this.population.length <= level) this.population.push(0);
    if (!this.absent[i]) {
      this.population[from] -= 1;
      this.population[level] += 1;
    }
    this.levelOf[i] = level;
    for (const lists of this.resources) lists.setLevel(i, level);
  }

  /** The host's number in the index (for setLevel), undefined for a host not in it. */
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
      // The sum as the solver's capacity check makes it, so that bestOnly's load is its load.
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
   * end has judged every host of its level (bestOnly: has visited it).
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
    const search = ++this.searches;
    const passOver = options.bestOnly ? need : undefined;
    for (const [level, hosts] of this.population.entries()) {
      if (!hosts) continue;
      const best = this.searchLevel(level, steps, judge, judged, search, passOver);
      if (best) return { judged, best };
    }
    return { judged, best: undefined };
  }

  private searchLevel(
    level: number,
    steps: readonly number[],
    judge: (host: HostV1) => CandidateVerdict,
    judged: CandidateVerdict[],
    search: number,
    passOver: readonly number[] | undefined,
  ): CandidateVerdict | undefined {
    let best: CandidateVerdict | undefined;
    const cursors = this.resources.map((r) => r.nonEmptyFrom(level, 0));
    for (;;) {
      let bound = Number.NEGATIVE_INFINITY;
      let walk = 0;
      for (const [r, bucket] of cursors.entries()) {
        if (bucket === undefined) return best;
        const atLeast = floorOf(bucket) + steps[r];
        if (atLeast > bound) [bound, walk] = [atLeast, r];
      }
      if (best && bound - SLACK > best.loadAfter!) return best;
      const bucket = cursors[walk]!;
      const lists = this.resources[walk];
      for (let i = lists.first(level, bucket); i !== NONE; i = lists.after(i)) {
        if (this.seenIn[i] === search) continue;
        this.seenIn[i] = search;
        if (passOver && !this.mayBeat(i, passOver, best)) continue;
        const verdict = judge(this.hosts[i]);
        judged.push(verdict);
        if (verdict.accepted && (!best || byRank(verdict, best) < 0)) best = verdict;
      }
      cursors[walk] = lists.nonEmptyFrom(level, bucket + 1);
    }
  }

  /**
   * Whether host number `i` could be accepted for `need` and come before `best` (of its level) by
   * `byRank`: it fits, and is not more loaded after the placement, nor as loaded with a higher id.
   * The load is worked out as the solver's capacity check works it out, to the last bit; what the
   * index cannot tell (anti-affinity, exclusions) is left to the judge.
   */
  private mayBeat(i: number, need: readonly number[], best: CandidateVerdict | undefined): boolean {
    let loadAfter = 0;
    for (let r = 0; r < this.taken.length; r++) {
      const after = this.taken[r][i] + need[r];
      const offers = this.offered[r][i];
      if (after > offers) return false;
      loadAfter = Math.max(loadAfter, utilisation(after, offers));
    }
    if (!best) return true;
    const bestLoad = best.loadAfter!;
    return !(loadAfter > bestLoad || (loadAfter === bestLoad && this.hosts[i].id > best.hostId));
  }
}
