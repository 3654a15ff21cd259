/** Share of what a host offers that is taken; a host that offers nothing is full. */
export const utilisation = (used: number, offered: number): number =>
  offered > 0 ? used / offered : Number.POSITIVE_INFINITY;

/**
 * Buckets per unit of utilisation: a few hosts each on a cloud of 10,000, so the search judges few
 * hosts past the point where it could stop. A power of two, so a bucket's floor is exact.
 */
export const BUCKETS = 4096;
/** The last bucket holds the hosts at or beyond what they offer (and those offering nothing). */
export const bucketFor = (utilisation: number): number =>
  utilisation < 1 ? Math.floor(utilisation * BUCKETS) : BUCKETS;
export const floorOf = (bucket: number): number => bucket / BUCKETS;
/** No host, no bucket: the end of a bucket's list, or a host in none. */
export const NONE = -1;

/**
 * Hosts (by number) by their utilisation of one resource, in buckets of 1/BUCKETS: walking the
 * buckets upward visits hosts in ascending utilisation without sorting them. Each bucket is a
 * doubly linked list held in typed arrays, so a host moves between buckets in constant time and
 * the whole index copies in a few array copies.
 *
 * A bucket is walked as `for (let h = first(b); h !== NONE; h = after(h))`: the search runs for
 * every placement of a forecast, and a generator per bucket cost more than the walk.
 */
export class BucketLists {
  constructor(
    /** The first host of each bucket. */
    private readonly heads: Int32Array,
    private readonly next: Int32Array,
    private readonly prev: Int32Array,
    private readonly bucketOf: Int32Array,
    /**
     * Every bucket below it is empty: a search starts at the least loaded host, and the buckets
     * up to it (a third of them on the bench's cloud) were scanned twice per placement.
     */
    private low = BUCKETS + 1,
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
      this.heads.slice(),
      this.next.slice(),
      this.prev.slice(),
      this.bucketOf.slice(),
      this.low,
    );
  }

  set(host: number, utilisation: number): void {
    const to = bucketFor(utilisation);
    if (this.bucketOf[host] === to) return;
    if (this.bucketOf[host] !== NONE) this.unlink(host);
    this.link(host, to);
  }

  /** Takes the host out of its bucket until `set` puts it back. */
  drop(host: number): void {
    if (this.bucketOf[host] !== NONE) this.unlink(host);
  }

  /** The first bucket from `from` on that holds a host; BUCKETS + 1 past the last. */
  nonEmptyFrom(from: number): number {
    let k = Math.max(from, this.low);
    while (k <= BUCKETS && this.heads[k] === NONE) k++;
    if (from <= this.low) this.low = k;
    return k;
  }

  /** The first host of the bucket, NONE for an empty one. */
  first(bucket: number): number {
    return this.heads[bucket];
  }

  /** The host after `host` in its bucket, NONE after the last. */
  after(host: number): number {
    return this.next[host];
  }

  private link(host: number, bucket: number): void {
    const first = this.heads[bucket];
    this.next[host] = first;
    this.prev[host] = NONE;
    if (first !== NONE) this.prev[first] = host;
    this.heads[bucket] = host;
    this.bucketOf[host] = bucket;
    if (bucket < this.low) this.low = bucket;
  }

  private unlink(host: number): void {
    const before = this.prev[host];
    const after = this.next[host];
    if (before === NONE) this.heads[this.bucketOf[host]] = after;
    else this.next[before] = after;
    if (after !== NONE) this.prev[after] = before;
    this.bucketOf[host] = NONE;
  }
}
