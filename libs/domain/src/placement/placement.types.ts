/** Overcommit ratios: a host offers `capacity × ratio` to placements (config CPU_/MEMORY_OVERCOMMIT). */
export interface PlacementConfig {
  cpuOvercommit: number;
  memoryOvercommit: number;
}

/**
 * Capacity an unfinished move of some plan will take on its destination. The solver counts it as if
 * the instance were already there, so two plans never promise the same free space twice.
 */
export interface Reservation {
  planId: string;
  hostId: string;
  vcpus: number;
  memoryMb: number;
  instanceId: string;
  groupId?: string | null;
}

/** Why one host was turned down; `code` is for machines, `message` for the audit "why". */
export type RejectionCode =
  | 'not-up'
  | 'source-host'
  | 'excluded'
  | 'hypervisor'
  | 'vcpus'
  | 'memory'
  | 'anti-affinity-host'
  | 'anti-affinity-zone';

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export interface CandidateVerdict {
  hostId: string;
  accepted: boolean;
  reasons: Rejection[];
  /** Utilisation after the placement (max of cpu and memory, 0..1+); set for hosts that fit. */
  loadAfter?: number;
}

/** The constraint that left an instance with nowhere to go, named in the blocked plan's reason. */
export type PlacementConstraint =
  'unknown-instance' | 'baremetal' | 'no-eligible-host' | 'capacity' | 'anti-affinity';

/** Candidates judged but not listed, on a cloud too large to list them all. */
export interface OmittedCandidates {
  accepted: number;
  rejected: number;
  /** Rejected and not listed, per rejection code. */
  rejectedBy: Record<string, number>;
}

export interface PlacementAccepted {
  ok: true;
  instanceId: string;
  fromHostId: string;
  hostId: string;
  loadAfter: number;
  candidates: CandidateVerdict[];
  omitted?: OmittedCandidates;
}

export interface PlacementBlocked {
  ok: false;
  instanceId: string;
  fromHostId: string | null;
  constraints: PlacementConstraint[];
  reason: string;
  candidates: CandidateVerdict[];
  omitted?: OmittedCandidates;
}

export type PlacementResult = PlacementAccepted | PlacementBlocked;

export interface PlacementRequest {
  instanceId: string;
  /** Hosts this placement must avoid besides the source (e.g. hosts being drained). */
  excludeHostIds?: readonly string[];
}
