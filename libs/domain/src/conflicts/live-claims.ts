import type { ResourceSet } from '../planning/resource-set';
import type { LiveClaim } from './conflict-policy';

const keysOf = (holds: ResourceSet): string[] => [
  ...holds.hosts.map((id) => `h:${id}`),
  ...holds.instances.map((id) => `i:${id}`),
  ...holds.groups.map((id) => `g:${id}`),
];

/**
 * The live plans' claims, indexed by the resources they hold: `decideConflict` only ever acts on
 * the claims that share a resource with the decision, so handing it `overlapping(holds)` rather than
 * every live claim gives the same decision. In a storm a cell holds hundreds of live plans and a
 * batch decides hundreds of times; this keeps each decision's look-up to the resources it holds.
 */
export class LiveClaims {
  private readonly claims = new Map<string, LiveClaim>();
  private readonly holders = new Map<string, Set<string>>();

  constructor(claims: Iterable<LiveClaim> = []) {
    for (const claim of claims) this.add(claim);
  }

  /** Adds `claim`, replacing the one its plan had. */
  add(claim: LiveClaim): void {
    this.remove(claim.planId);
    this.claims.set(claim.planId, claim);
    for (const key of keysOf(claim.holds)) {
      let plans = this.holders.get(key);
      if (!plans) {
        plans = new Set();
        this.holders.set(key, plans);
      }
      plans.add(claim.planId);
    }
  }

  remove(planId: string): void {
    const claim = this.claims.get(planId);
    if (!claim) return;
    this.claims.delete(planId);
    for (const key of keysOf(claim.holds)) {
      const plans = this.holders.get(key);
      plans?.delete(planId);
      if (plans?.size === 0) this.holders.delete(key);
    }
  }

  get(planId: string): LiveClaim | undefined {
    return this.claims.get(planId);
  }

  /** The claims holding any of `holds`, each once. */
  overlapping(holds: ResourceSet): LiveClaim[] {
    const ids = new Set<string>();
    for (const key of keysOf(holds)) {
      for (const id of this.holders.get(key) ?? []) ids.add(id);
    }
    return [...ids].map((id) => this.claims.get(id)!);
  }
}
