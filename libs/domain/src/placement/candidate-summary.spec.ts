import { MAX_RECORDED_CANDIDATES, summarizeCandidates } from './candidate-summary';
import type { CandidateVerdict, RejectionCode } from './placement.types';

const verdict = (
  i: number,
  accepted: boolean,
  code: RejectionCode = 'vcpus',
): CandidateVerdict => ({
  hostId: `h-${String(i).padStart(5, '0')}`,
  accepted,
  reasons: accepted ? [] : [{ code, message: code }],
  ...(accepted ? { loadAfter: i / 1000 } : {}),
});

describe('summarizeCandidates', () => {
  it('keeps every verdict on a small cloud', () => {
    const all = Array.from({ length: MAX_RECORDED_CANDIDATES }, (_, i) => verdict(i, i % 2 === 0));
    const ranked = all.filter((c) => c.accepted);
    expect(summarizeCandidates(all, ranked)).toEqual({ candidates: all });
  });

  it('keeps the best accepted and the first rejected on a large cloud, counting the rest by code', () => {
    const all = Array.from({ length: 10_000 }, (_, i) =>
      verdict(i, i % 4 === 0, i % 4 === 1 ? 'not-up' : 'anti-affinity-host'),
    );
    const ranked = all.filter((c) => c.accepted).reverse();
    const { candidates, omitted } = summarizeCandidates(all, ranked);
    expect(candidates).toHaveLength(MAX_RECORDED_CANDIDATES);
    expect(candidates.slice(0, 10)).toEqual(ranked.slice(0, 10));
    expect(candidates.slice(10).every((c) => !c.accepted)).toBe(true);
    expect(omitted).toEqual({
      accepted: 2500 - 10,
      rejected: 7500 - 22,
      // The first 22 rejected are hosts 1, 2, 3, 5, 6, 7, ...: 8 not-up and 14 anti-affinity.
      rejectedBy: { 'not-up': 2500 - 8, 'anti-affinity-host': 5000 - 14 },
    });
    expect(JSON.stringify({ candidates, omitted }).length).toBeLessThan(10_000);
  });

  it('counts the hosts the solver did not judge one by one, even when few were judged', () => {
    const judged = [verdict(3, true), verdict(1, false, 'anti-affinity-host')];
    const unjudged = { rejected: 5, rejectedBy: { 'not-up': 5 }, notJudged: 9_000 };
    expect(summarizeCandidates(judged, [judged[0]], unjudged)).toEqual({
      candidates: judged,
      omitted: { accepted: 0, rejected: 5, rejectedBy: { 'not-up': 5 }, notJudged: 9_000 },
    });
  });
});
