import fc from 'fast-check';
import type { PlanState, Policy } from '@reflex/contracts/plan.v1';
import { decideConflict, POLICY_RANK, type Claim, type LiveClaim } from './conflict-policy';
import { LiveClaims } from './live-claims';

// Few names, so that claims share resources often; every policy and state, notify and final
// states included (which decideConflict ignores).
const ids = (prefix: string) =>
  fc.uniqueArray(fc.constantFrom(...[1, 2, 3, 4, 5].map((n) => `${prefix}${n}`)), { maxLength: 3 });
const holdsArb = fc.record({ hosts: ids('h'), instances: ids('i'), groups: ids('g') });
const policyArb = fc.constantFrom(...(Object.keys(POLICY_RANK) as Policy[]));
const targetArb = fc.record({
  kind: fc.constantFrom<'host' | 'instance' | 'group'>('host', 'instance', 'group'),
  id: fc.constantFrom('h1', 'h2', 'i1', 'g1'),
});
const claimArb: fc.Arbitrary<Claim> = fc.record({
  policy: policyArb,
  target: targetArb,
  holds: holdsArb,
});
const stateArb = fc.constantFrom<PlanState>(
  'pending',
  'running',
  'rolling_back',
  'pending_approval',
  'succeeded',
);
const liveArb = fc
  .array(fc.record({ claim: claimArb, state: stateArb }), { maxLength: 30 })
  .map((list) =>
    list.map(({ claim, state }, n): LiveClaim => ({
      ...claim,
      state,
      planId: `p${String(n).padStart(2, '0')}`,
    })),
  );

describe('LiveClaims', () => {
  it('gives decideConflict the same decision as every live claim does', () => {
    fc.assert(
      fc.property(liveArb, claimArb, (live, incoming) => {
        const index = new LiveClaims(live);
        expect(decideConflict(incoming, index.overlapping(incoming.holds))).toEqual(
          decideConflict(incoming, live),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('follows claims replaced and removed', () => {
    fc.assert(
      fc.property(
        liveArb,
        fc.array(fc.tuple(fc.nat(29), fc.option(claimArb)), { maxLength: 20 }),
        claimArb,
        (live, changes, incoming) => {
          const index = new LiveClaims(live);
          const current = new Map(live.map((c) => [c.planId, c]));
          for (const [n, change] of changes) {
            const planId = `p${String(n).padStart(2, '0')}`;
            if (change === null) {
              index.remove(planId);
              current.delete(planId);
            } else {
              const claim = { ...change, planId, state: 'pending' as const };
              index.add(claim);
              current.set(planId, claim);
            }
          }
          const every = [...current.values()];
          expect(decideConflict(incoming, index.overlapping(incoming.holds))).toEqual(
            decideConflict(incoming, every),
          );
          expect(new Set(index.overlapping(incoming.holds).map((c) => c.planId))).toEqual(
            new Set(
              every
                .filter((c) =>
                  (['hosts', 'instances', 'groups'] as const).some((k) =>
                    c.holds[k].some((id) => incoming.holds[k].includes(id)),
                  ),
                )
                .map((c) => c.planId),
            ),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
