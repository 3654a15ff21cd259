import type { CandidateVerdict, OmittedCandidates } from './placement.types';

/** Up to this many candidates are recorded as they are; a small cloud's audit shows every host. */
export const MAX_RECORDED_CANDIDATES = 32;
const RECORDED_ACCEPTED = 10;

/**
 * Hosts a placement reached a verdict on without judging them one by one. On a large cloud the
 * solver judges only the hosts that could be chosen: hosts not up or of another hypervisor are
 * turned down on that alone, and hosts whose load shows they could not be preferred to the chosen
 * one are not judged at all.
 */
export interface UnjudgedHosts {
  /** Turned down on status or hypervisor, counted under those codes only. */
  rejected: number;
  rejectedBy: Record<string, number>;
  /** Up, of the right hypervisor, and not judged: none of them could have been preferred. */
  notJudged: number;
}

const ALL_JUDGED: UnjudgedHosts = { rejected: 0, rejectedBy: {}, notJudged: 0 };

/**
 * What a placement keeps for the audit "why". Recording every verdict made one failover's
 * explanation 74 MB on 10,000 hosts (stored with the plan and served by the API): keep the best
 * accepted hosts in rank order, the first rejected ones by host id, and count the rest per
 * rejection code. `candidates` are the judged hosts by id, `ranked` the accepted ones, best first.
 */
export function summarizeCandidates(
  candidates: CandidateVerdict[],
  ranked: CandidateVerdict[],
  unjudged: UnjudgedHosts = ALL_JUDGED,
): { candidates: CandidateVerdict[]; omitted?: OmittedCandidates } {
  const allJudged = !unjudged.rejected && !unjudged.notJudged;
  if (allJudged && candidates.length <= MAX_RECORDED_CANDIDATES) return { candidates };
  const accepted = ranked.slice(0, RECORDED_ACCEPTED);
  const rejected = candidates.filter((c) => !c.accepted);
  const keptRejected = rejected.slice(0, MAX_RECORDED_CANDIDATES - accepted.length);
  const rejectedBy: Record<string, number> = { ...unjudged.rejectedBy };
  for (const c of rejected.slice(keptRejected.length)) {
    for (const code of new Set(c.reasons.map((r) => r.code)))
      rejectedBy[code] = (rejectedBy[code] ?? 0) + 1;
  }
  return {
    candidates: [...accepted, ...keptRejected],
    omitted: {
      accepted: ranked.length - accepted.length,
      rejected: rejected.length - keptRejected.length + unjudged.rejected,
      rejectedBy,
      ...(unjudged.notJudged ? { notJudged: unjudged.notJudged } : {}),
    },
  };
}
