import type { HostV1, InstanceV1 } from '@reflex/contracts/inventory.v1';
import { summarizeCandidates, type UnjudgedHosts } from './candidate-summary';
import type { CandidateVerdict, PlacementConstraint, PlacementResult } from './placement.types';

/**
 * Why no host would take the instance. `candidates` holds every host that is up with the right
 * hypervisor: those are all judged.
 */
export function explainNoFit(
  instance: InstanceV1,
  source: HostV1 | undefined,
  candidates: CandidateVerdict[],
  unjudged: UnjudgedHosts | undefined,
): PlacementResult {
  const basic = new Set(['not-up', 'source-host', 'excluded', 'hypervisor']);
  const eligible = candidates.filter((c) => c.reasons.every((r) => !basic.has(r.code)));
  if (!eligible.length) {
    const hv = source?.hypervisor ?? 'unknown';
    return blocked(
      instance.id,
      instance.hostId,
      ['no-eligible-host'],
      `no other up host with hypervisor ${hv}`,
      candidates,
      unjudged,
    );
  }
  const constraints = new Set<PlacementConstraint>();
  for (const c of eligible) {
    for (const r of c.reasons) {
      constraints.add(r.code.startsWith('anti-affinity') ? 'anti-affinity' : 'capacity');
    }
  }
  const sorted = [...constraints].sort();
  const shown = eligible.slice(0, 10);
  const more =
    eligible.length > shown.length ? ` | and ${eligible.length - shown.length} more` : '';
  const detail =
    shown.map((c) => `${c.hostId}: ${c.reasons.map((r) => r.message).join('; ')}`).join(' | ') +
    more;
  return blocked(
    instance.id,
    instance.hostId,
    sorted,
    `${sorted.join(', ')} (${detail})`,
    candidates,
    unjudged,
  );
}

/** A placement that found no host, with the verdicts kept for the audit. */
export function blocked(
  instanceId: string,
  fromHostId: string | null,
  constraints: PlacementConstraint[],
  detail: string,
  candidates: CandidateVerdict[],
  unjudged?: UnjudgedHosts,
): PlacementResult {
  return {
    ok: false,
    instanceId,
    fromHostId,
    constraints,
    reason: `no host for ${instanceId}: ${detail}`,
    ...summarizeCandidates(candidates, [], unjudged),
  };
}
