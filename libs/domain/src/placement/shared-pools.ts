import type { InventoryView } from '../inventory/inventory-view';
import { candidatePool, type CandidatePool } from './candidate-pool';
import type { PlacementConfig } from './placement.types';

/**
 * Candidate pools that a sequence of solvers on one view update in place rather than each copying
 * them: the capacity forecast makes a plan per host of every domain (10,000 on the bench's cloud),
 * and copying the index per plan, and building one per failed domain, was most of its time.
 *
 * The solvers record what they change (`touch`, `touchRack`); `reset` puts those hosts back at
 * their inventory load and level 0, and the failed hosts back in, so that the next domain starts
 * from the pools a fresh solver would copy. Only one solver may use them at a time.
 */
export class SharedPools {
  private readonly pools = new Map<string | undefined, CandidatePool>();
  private readonly base = new Map<string | undefined, CandidatePool['turnedDown']>();
  private readonly touched = new Set<string>();
  private readonly racks = new Set<number>();
  private failed: readonly string[] = [];

  constructor(
    private readonly view: InventoryView,
    private readonly config: PlacementConfig,
  ) {}

  /** The pool for an instance on `hypervisor`, without the failed hosts. */
  pool(hypervisor: string | undefined): CandidatePool {
    let pool = this.pools.get(hypervisor);
    if (pool) return pool;
    const shared = candidatePool(this.view, this.config, hypervisor);
    pool = { ...shared, index: shared.index.copy() };
    this.pools.set(hypervisor, pool);
    this.base.set(hypervisor, shared.turnedDown);
    this.takeOut(hypervisor, pool);
    return pool;
  }

  /** A solver reindexed the host: `reset` must put it back. */
  touch(hostId: string): void {
    this.touched.add(hostId);
  }

  /** A solver moved the rack's hosts to another level. */
  touchRack(rack: number): void {
    this.racks.add(rack);
  }

  /**
   * The hosts of a failing domain leave every pool, now and when made later, until `reset`, as
   * when a view with them down builds its pools: placements never go there, and they count as not up.
   */
  fail(hostIds: readonly string[]): void {
    this.failed = hostIds;
    for (const [hypervisor, pool] of this.pools) this.takeOut(hypervisor, pool);
  }

  /** Back to the inventory's loads, every host in. */
  reset(): void {
    for (const pool of this.pools.values()) {
      for (const hostId of this.touched) pool.index.update(hostId, []);
      for (const rack of this.racks) pool.index.setRackLevel(rack, 0);
      for (const hostId of this.failed) {
        const i = pool.index.numberOfHost(hostId);
        if (i !== undefined) pool.index.restore(i);
      }
    }
    for (const [hypervisor, turnedDown] of this.base)
      this.pools.get(hypervisor)!.turnedDown = turnedDown;
    this.touched.clear();
    this.racks.clear();
    this.failed = [];
  }

  private takeOut(hypervisor: string | undefined, pool: CandidatePool): void {
    let out = 0;
    for (const hostId of this.failed) {
      const i = pool.index.numberOfHost(hostId);
      if (i === undefined) continue;
      pool.index.remove(i);
      out += 1;
    }
    if (!out) return;
    const { rejected, rejectedBy } = this.base.get(hypervisor)!;
    pool.turnedDown = {
      rejected: rejected + out,
      rejectedBy: { ...rejectedBy, 'not-up': (rejectedBy['not-up'] ?? 0) + out },
    };
  }
}
