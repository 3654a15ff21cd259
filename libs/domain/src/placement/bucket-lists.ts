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
 * the whole index copies in a few array copies. Hosts are also on a level (their rack's
 * placements so far), each level with buckets of its own, so one level can be walked alone.
 *
 * A bucket is walked as `for (let h = first(level, b); h !== NONE; h = after(h))`: the search
 * runs for every placement of a forecast, and a generator per bucket cost more than the walk.
 */
export class BucketLists {
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

  /** The first host of the level's bucket, NONE for an empty one. */
  first(level: number, bucket: number): number {
    return this.heads[level]?.[bucket] ?? NONE;
  }

  /** The host after `host` in its bucket, NONE after the last. */
  after(host: number): number {
    return this.next[host];
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
