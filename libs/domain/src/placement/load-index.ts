import type { HostV1 } from '@reflex/contracts/inventory.v1';
import type { CandidateVerdict } from './placement.types';

/**
 * Accepted verdicts best first: fewest of the plan's moves already in the host's rack (so a
 * storm's evacuations spread over racks), then least loaded after the placement, then host id.
 */
export const byRank = (a: CandidateVerdict, b: CandidateVerdict): number =>
  (a.rackPlacements ?? 0) - (b.rackPlacements ?? 0) ||
  a.loadAfter! - b.loadAfter! ||
  (a.hostId < b.hostId ? -1 : 1);

/**
 * Buckets per unit of utilisation: a few hosts each on a cloud of 10,000, so the search judges few
 * hosts past the point where it could stop. A power of two, so a bucket's floor is exact.
 */
const BUCKETS = 4096;
/** The last bucket holds the hosts at or beyond what they offer (and those offering nothing). */
const bucketFor = (utilisation: number): number =>
  utilisation < 1 ? Math.floor(utilisation * BUCKETS) : BUCKETS;
const floorOf = (bucket: number): number => bucket / BUCKETS;
/** Rounding slack: a lower bound must never come out above the load it bounds. */
const SLACK = 1e-9;
const NONE = -1;

/**
 * Hosts (by number) by their utilisation of one resource, in buckets of 1/BUCKETS: walking the
 * buckets upward visits hosts in ascending utilisation without sorting them. Each bucket is a
 * doubly linked list held in typed arrays, so a host moves between buckets in constant time and
 * the whole index copies in a few array copies. Hosts are also on a level (their rack's
 * placements so far), each level with buckets of its own, so one level can be walked alone.
 */
class BucketLists {
  constructor(
    /** Per level, the first host of each bucket; a level's array is made when first used. */
    private readonly heads: Int32Array[],
    private readonly next: Int32Array,
    private readonly prev: Int32Array,
    private readonly bucketOf: Int32Array,
    private readonly levelOf: Int32Array,
  ) {}

  static empty(hosts: number): BucketLists {
    return new BucketLists(
      [],
      new Int32Array(hosts),
      new Int32Array(hosts),
      new Int32Array(hosts).fill(NONE),
      new Int32Array(hosts),
    );
  }

  copy(): BucketLists {
    return new BucketLists(
      this.heads.map((head) => head.slice()),
      this.next.slice(),
      this.prev.slice(),
      this.bucketOf.slice(),
      this.levelOf.slice(),
    );
  }

  set(host: number, utilisation: number): void {
    const to = bucketFor(utilisation);
    if (this.bucketOf[host] === to) return;
    if (this.bucketOf[host] !== NONE) this.unlink(host);
    this.link(host, this.levelOf[host], to);
  }

  setLevel(host: number, level: number): void {
    if (this.levelOf[host] === level) return;
    const bucket = this.bucketOf[host];
    if (bucket !== NONE) this.unlink(host);
    this.levelOf[host] = level;
    if (bucket !== NONE) this.link(host, level, bucket);
  }

  /** Takes the host out of its bucket until `set` puts it back. */
  drop(host: number): void {
    if (this.bucketOf[host] !== NONE) this.unlink(host);
  }

  /** The first bucket of the level from `bucket` on that holds a host; undefined past the last. */
  nonEmptyFrom(level: number, bucket: number): number | undefined {
    const head = this.heads[level];
    if (!head) return undefined;
    for (let k = bucket; k <= BUCKETS; k++) if (head[k] !== NONE) return k;
    return undefined;
  }

  *hostsIn(level: number, bucket: number): Generator<number> {
    const head = this.heads[level];
    if (!head) return;
    for (let host = head[bucket]; host !== NONE; host = this.next[host]) yield host;
  }

  private link(host: number, level: number, bucket: number): void {
    const head = this.heads[level] ?? this.addLevels(level);
    const first = head[bucket];
    this.next[host] = first;
    this.prev[host] = NONE;
    if (first !== NONE) this.prev[first] = host;
    head[bucket] = host;
    this.bucketOf[host] = bucket;
  }

  private addLevels(upTo: number): Int32Array {
    while (this.heads.length <= upTo) this.heads.push(new Int32Array(BUCKETS + 1).fill(NONE));
    return this.heads[upTo];
  }

  private unlink(host: number): void {
    const head = this.heads[this.levelOf[host]];
    const [before, after] = [this.prev[host], this.next[host]];
    if (before === NONE) head[this.bucketOf[host]] = after;
    else this.next[before] = after;
    if (after !== NONE) this.prev[after] = before;
    this.bucketOf[host] = NONE;
  }
}

/** Share of what a host offers that is taken; a host that offers nothing is full. */
export const utilisation = (used: number, offered: number): number =>
  offered > 0 ? used / offered : Number.POSITIVE_INFINITY;

/** Per resource, one number per host (by the index's numbering). */
type PerHost = readonly Float64Array[];

/**
 * Candidate hosts indexed by their utilisation of each resource (cpu and memory), kept current as
 * reservations land, so that the least loaded host can be found without judging every host.
 */
export class LoadIndex {
  private constructor(
    private readonly hosts: readonly HostV1[],
    private readonly numberOf: ReadonlyMap<string, number>,
    private readonly offered: PerHost,
    /** What the inventory has on each host, before any reservation. */
    private readonly used: PerHost,
    /** Per resource, the most any host offers: a placement adds at least its need / that. */
    private readonly mostOffered: readonly number[],
    private readonly resources: readonly BucketLists[],
    /** How many hosts are on each level; the levels are searched from the lowest up. */
    private readonly population: number[],
    private readonly levelOf: Int32Array,
    /** Hosts taken out of the search (failed, in a forecast) until restored. */
    private readonly absent: Uint8Array,
    private absentCount = 0,
  ) {}

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
    const index = new LoadIndex(
      hosts,
      new Map(hosts.map((host, i) => [host.id, i])),
      offers,
      perHost(used),
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
    this.resources.forEach((lists, r) =>
      lists.set(i, utilisation(this.used[r][i] + (reserved[r] ?? 0), this.offered[r][i])),
    );
  }

  /**
   * The host the exhaustive rule would choose (the accepted one first by `byRank`) for an instance
   * needing `need` (per resource), judging only hosts that could be it. Levels are searched from the
   * lowest: a host accepted on one level beats every host of the levels above, so the search stops
   * at the first level with an accepted host. Within a level it walks one resource's buckets upward,
   * always the resource whose bound is higher, and stops once every host not yet judged is bound to
   * be more loaded after the placement than the best accepted so far: a host at utilisation u of a
   * resource is at least at u + need / (the most any host offers) after it. A walk that reaches its
   * end has judged every host of its level.
   */
  search(
    need: readonly number[],
    judge: (host: HostV1) => CandidateVerdict,
  ): { judged: CandidateVerdict[]; best: CandidateVerdict | undefined } {
    const steps = this.mostOffered.map((most, r) => (most > 0 ? need[r] / most : 0));
    const judged: CandidateVerdict[] = [];
    for (const [level, hosts] of this.population.entries()) {
      if (!hosts) continue;
      const best = this.searchLevel(level, steps, judge, judged);
      if (best) return { judged, best };
    }
    return { judged, best: undefined };
  }

  private searchLevel(
    level: number,
    steps: readonly number[],
    judge: (host: HostV1) => CandidateVerdict,
    judged: CandidateVerdict[],
  ): CandidateVerdict | undefined {
    const seen = new Set<number>();
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
      for (const i of this.resources[walk].hostsIn(level, bucket)) {
        if (seen.has(i)) continue;
        seen.add(i);
        const verdict = judge(this.hosts[i]);
        judged.push(verdict);
        if (verdict.accepted && (!best || byRank(verdict, best) < 0)) best = verdict;
      }
      cursors[walk] = this.resources[walk].nonEmptyFrom(level, bucket + 1);
    }
  }
}
