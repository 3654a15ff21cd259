import type { HostV1 } from '@reflex/contracts/inventory.v1';
import type { CandidateVerdict } from './placement.types';

/** Accepted verdicts best first: least loaded after the placement, then host id. */
export const byRank = (a: CandidateVerdict, b: CandidateVerdict): number =>
  a.loadAfter! - b.loadAfter! || (a.hostId < b.hostId ? -1 : 1);

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
 * the whole index copies in a few array copies.
 */
class BucketLists {
  constructor(
    private readonly head: Int32Array,
    private readonly next: Int32Array,
    private readonly prev: Int32Array,
    private readonly bucketOf: Int32Array,
  ) {}

  static empty(hosts: number): BucketLists {
    return new BucketLists(
      new Int32Array(BUCKETS + 1).fill(NONE),
      new Int32Array(hosts),
      new Int32Array(hosts),
      new Int32Array(hosts).fill(NONE),
    );
  }

  copy(): BucketLists {
    return new BucketLists(
      this.head.slice(),
      this.next.slice(),
      this.prev.slice(),
      this.bucketOf.slice(),
    );
  }

  set(host: number, utilisation: number): void {
    const to = bucketFor(utilisation);
    if (this.bucketOf[host] === to) return;
    if (this.bucketOf[host] !== NONE) this.unlink(host);
    const first = this.head[to];
    this.next[host] = first;
    this.prev[host] = NONE;
    if (first !== NONE) this.prev[first] = host;
    this.head[to] = host;
    this.bucketOf[host] = to;
  }

  /** The first bucket from `bucket` on that holds a host; undefined past the last. */
  nonEmptyFrom(bucket: number): number | undefined {
    for (let k = bucket; k <= BUCKETS; k++) if (this.head[k] !== NONE) return k;
    return undefined;
  }

  *hostsIn(bucket: number): Generator<number> {
    for (let host = this.head[bucket]; host !== NONE; host = this.next[host]) yield host;
  }

  private unlink(host: number): void {
    const [before, after] = [this.prev[host], this.next[host]];
    if (before === NONE) this.head[this.bucketOf[host]] = after;
    else this.next[before] = after;
    if (after !== NONE) this.prev[after] = before;
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
    );
    hosts.forEach((_, i) => index.place(i, []));
    return index;
  }

  get size(): number {
    return this.hosts.length;
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
    );
  }

  /** `reserved` (per resource) is now taken on the host besides its inventory; others are ignored. */
  update(hostId: string, reserved: readonly number[]): void {
    const i = this.numberOf.get(hostId);
    if (i !== undefined) this.place(i, reserved);
  }

  private place(i: number, reserved: readonly number[]): void {
    this.resources.forEach((lists, r) =>
      lists.set(i, utilisation(this.used[r][i] + (reserved[r] ?? 0), this.offered[r][i])),
    );
  }

  /**
   * The host the exhaustive rule would choose (the accepted one first by `byRank`) for an instance
   * needing `need` (per resource), judging only hosts that could be it. It walks one resource's
   * buckets upward, always the resource whose bound is higher, and stops once every host not yet
   * judged is bound to be more loaded after the placement than the best accepted so far: a host at
   * utilisation u of a resource is at least at u + need / (the most any host offers) after it.
   * A walk that reaches its end has judged every host.
   */
  search(
    need: readonly number[],
    judge: (host: HostV1) => CandidateVerdict,
  ): { judged: CandidateVerdict[]; best: CandidateVerdict | undefined } {
    const steps = this.mostOffered.map((most, r) => (most > 0 ? need[r] / most : 0));
    const judged: CandidateVerdict[] = [];
    const seen = new Set<number>();
    let best: CandidateVerdict | undefined;
    const cursors = this.resources.map((r) => r.nonEmptyFrom(0));
    for (;;) {
      let bound = Number.NEGATIVE_INFINITY;
      let walk = 0;
      for (const [r, bucket] of cursors.entries()) {
        if (bucket === undefined) return { judged, best };
        const atLeast = floorOf(bucket) + steps[r];
        if (atLeast > bound) [bound, walk] = [atLeast, r];
      }
      if (best && bound - SLACK > best.loadAfter!) return { judged, best };
      const bucket = cursors[walk]!;
      for (const i of this.resources[walk].hostsIn(bucket)) {
        if (seen.has(i)) continue;
        seen.add(i);
        const verdict = judge(this.hosts[i]);
        judged.push(verdict);
        if (verdict.accepted && (!best || byRank(verdict, best) < 0)) best = verdict;
      }
      cursors[walk] = this.resources[walk].nonEmptyFrom(bucket + 1);
    }
  }
}
