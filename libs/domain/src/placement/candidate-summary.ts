import type { CandidateVerdict, OmittedCandidates } from './placement.types';

/** Up to this many candidates are recorded as they are; a small cloud's audit shows every host. */
export const MAX_RECORDED_CANDIDATES = 32;
const RECORDED_ACCEPTED = 10;

/**
 * What a placement keeps for the audit "why". On a large cloud every host is judged, but recording
 * every verdict made one failover's explanation 74 MB on 10,000 hosts (stored with the plan and
 * served by the API): keep the best accepted hosts in rank order, the first rejected ones by host id,
 * and count the rest per rejection code. `ranked` is the accepted hosts, best first.
 */
export function summarizeCandidates(
  candidates: CandidateVerdict[],
  ranked: CandidateVerdict[],
): { candidates: CandidateVerdict[]; omitted?: OmittedCandidates } {
  if (candidates.length <= MAX_RECORDED_CANDIDATES) return { candidates };
  const accepted = ranked.slice(0, RECORDED_ACCEPTED);
  const rejected = candidates.filter((c) => !c.accepted);
  const keptRejected = rejected.slice(0, MAX_RECORDED_CANDIDATES - accepted.length);
  const rejectedBy: Record<string, number> = {};
  for (const c of rejected.slice(keptRejected.length)) {
    for (const code of new Set(c.reasons.map((r) => r.code)))
      rejectedBy[code] = (rejectedBy[code] ?? 0) + 1;
  }
  return {
    candidates: [...accepted, ...keptRejected],
    omitted: {
      accepted: ranked.length - accepted.length,
      rejected: rejected.length - keptRejected.length,
      rejectedBy,
    },
  };
}
