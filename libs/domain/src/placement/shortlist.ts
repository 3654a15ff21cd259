import { NONE, utilisation } from './bucket-lists';

/** Per resource, one number per host (by a load index's numbering). */
export type PerHost = readonly Float64Array[];

/**
 * The hosts of one bucket that a bestOnly search (LoadIndex) has to judge, lightest first. The
 * index knows what is taken on each host and what it offers, so it tells, without judging, the
 * hosts that would be turned down for capacity and the hosts that could not come before the best
 * so far: more loaded after the placement, or as loaded with a higher id (`byRank` within a
 * level). The rest are judged least loaded first, and the first accepted is ahead of every other:
 * on a forecast's crowded buckets that is one verdict where judging them all made a dozen.
 *
 * The load is summed as the solver's capacity check sums it (taken, then + need, over offered,
 * the higher of the resources), so equal loads here are equal loads there.
 */
export class Shortlist {
  private readonly hosts: Int32Array;
  private readonly loads: Float64Array;
  private length = 0;
  private need: readonly number[] = [];
  private bestHost = NONE;
  private bestLoad = 0;

  constructor(
    capacity: number,
    private readonly taken: PerHost,
    private readonly offered: PerHost,
    /** Per host, its place in host id order. */
    private readonly idRank: Int32Array,
  ) {
    this.hosts = new Int32Array(capacity);
    this.loads = new Float64Array(capacity);
  }

  /** Empties it for a bucket of the search for `need`, with the best accepted host so far. */
  clear(need: readonly number[], bestHost: number, bestLoad: number | undefined): void {
    this.length = 0;
    this.need = need;
    this.bestHost = bestHost;
    this.bestLoad = bestLoad ?? 0;
  }

  /** Keeps host number `i` if it fits and could come before the best. */
  consider(i: number): void {
    let load = 0;
    for (let r = 0; r < this.taken.length; r++) {
      const after = this.taken[r][i] + this.need[r];
      const offers = this.offered[r][i];
      if (after > offers) return;
      load = Math.max(load, utilisation(after, offers));
    }
    if (this.bestHost !== NONE && this.behind(load, i, this.bestLoad, this.bestHost)) return;
    this.hosts[this.length] = i;
    this.loads[this.length] = load;
    this.length += 1;
  }

  /** Takes out the lightest host kept (lowest id among equals); NONE once empty. */
  take(): number {
    if (!this.length) return NONE;
    let lightest = 0;
    for (let k = 1; k < this.length; k++) {
      const ahead = !this.behind(
        this.loads[k],
        this.hosts[k],
        this.loads[lightest],
        this.hosts[lightest],
      );
      if (ahead) lightest = k;
    }
    const host = this.hosts[lightest];
    this.length -= 1;
    this.hosts[lightest] = this.hosts[this.length];
    this.loads[lightest] = this.loads[this.length];
    return host;
  }

  /** Whether host `i` at `load` comes after host `other` at `otherLoad` (never equal: ids differ). */
  private behind(load: number, i: number, otherLoad: number, other: number): boolean {
    return load > otherLoad || (load === otherLoad && this.idRank[i] > this.idRank[other]);
  }
}
