interface Entry<V> {
  version: number;
  value: V;
}

/**
 * A map that is only ever set, never deleted from, whose `snapshot()` costs nothing: each snapshot
 * reads the map as it stood when taken, however it is set afterwards. A planning batch hands each
 * decision a snapshot of the live plans' promises and then adds the decision's own; copying the
 * promises for every decision made a storm's batch quadratic in its plans.
 */
export class VersionedMap<K, V> {
  private readonly history = new Map<K, Entry<V>[]>();
  /** The version at which each key first appeared, ascending: a snapshot's size. */
  private readonly firstSeen: number[] = [];
  private version = 0;

  set(key: K, value: V): this {
    this.version++;
    let entries = this.history.get(key);
    if (!entries) {
      entries = [];
      this.history.set(key, entries);
      this.firstSeen.push(this.version);
    }
    entries.push({ version: this.version, value });
    return this;
  }

  /** The map as it stands now, unchanged by later `set`s. */
  snapshot(): ReadonlyMap<K, V> {
    return new MapAtVersion(this.history, this.firstSeen, this.version);
  }
}

class MapAtVersion<K, V> implements ReadonlyMap<K, V> {
  constructor(
    private readonly history: ReadonlyMap<K, Entry<V>[]>,
    private readonly firstSeen: readonly number[],
    private readonly version: number,
  ) {}

  get(key: K): V | undefined {
    return this.entryOf(key)?.value;
  }

  has(key: K): boolean {
    return this.entryOf(key) !== undefined;
  }

  get size(): number {
    // How many keys had appeared by this version: a binary search of the ascending first versions.
    let low = 0;
    let high = this.firstSeen.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.firstSeen[mid] <= this.version) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, entries] of this.history) {
      const entry = this.latest(entries);
      if (entry) yield [key, entry.value];
    }
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  private entryOf(key: K): Entry<V> | undefined {
    const entries = this.history.get(key);
    return entries && this.latest(entries);
  }

  /** The last entry set at or before this version (usually the last one). */
  private latest(entries: readonly Entry<V>[]): Entry<V> | undefined {
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].version <= this.version) return entries[i];
    }
    return undefined;
  }
}
