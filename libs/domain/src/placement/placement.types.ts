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
  | 'anti-affinity-rack'
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
  /**
   * Moves this plan has already placed in the host's rack (set for hosts that fit): the fewer, the
   * more preferred, before load, so a storm's evacuations spread over racks.
   */
  rackPlacements?: number;
}

/** The constraint that left an instance with nowhere to go, named in the blocked plan's reason. */
export type PlacementConstraint =
  'unknown-instance' | 'baremetal' | 'no-eligible-host' | 'capacity' | 'anti-affinity';

/** Candidates not listed, on a cloud too large to list them all. */
export interface OmittedCandidates {
  /** Accepted and not listed: judged, and less preferred than those listed. */
  accepted: number;
  /**
   * Rejected and not listed, including the hosts turned down on status or hypervisor alone (the
   * solver does not judge those further, so they count under `not-up` or `hypervisor` only).
   */
  rejected: number;
  /** Rejected and not listed, per rejection code (a host with several codes counts under each). */
  rejectedBy: Record<string, number>;
  /**
   * Up hosts of the right hypervisor that were not judged at all: their load before the placement
   * already showed each would be more loaded after it than the chosen host, so none could have
   * been chosen.
   */
  notJudged?: number;
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
