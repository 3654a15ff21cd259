import { ValidationError } from '@reflex/common';
import type { Actor } from '@reflex/domain';
import { actorOf, type Caller } from './actor-input';

/** Most plans one call approves; the answer says when more were left waiting. */
export const BULK_APPROVE_MAX = 1000;

/** Which plans `POST /v1/plans/approve` approves: listed ids, or those waiting for one reason. */
export type BulkSelection =
  | { ids: string[] }
  | {
      /** Plans in pending_approval whose reason starts with this (`storm guard:`). */
      reasonPrefix: string;
      /** Only plans about a host of this zone (the plan's host, or its instance's host). */
      zone?: string;
    };

export interface BulkApproval {
  selection: BulkSelection;
  actor: Actor;
}

export type ApprovalOutcome = 'approved' | 'conflict' | 'not_found';

export interface BulkApprovalItem {
  planId: string;
  outcome: ApprovalOutcome;
  /** The plan's state after the call (null when there is no such plan). */
  state: string | null;
  /** Why it was not approved. */
  error?: string;
}

export interface BulkApprovalAnswer {
  items: BulkApprovalItem[];
  approved: number;
  /** More plans matched a reasonPrefix than one call approves: call again. */
  more: boolean;
}

const FIELDS = new Set(['ids', 'reasonPrefix', 'zone', 'by', 'reason']);
const bad = (path: string, message: string) =>
  new ValidationError(`${path.slice(1) || 'body'} ${message}`, [{ path, message }]);
const text = (value: unknown, path: string, max = 1024): string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw bad(path, `must be a non-empty string of at most ${max} characters`);
  }
  return value;
};

/** The body `{ ids } | { reasonPrefix, zone? }` plus the actor fields `{ by?, reason? }`. */
export function bulkApprovalOf(body: unknown, caller: Caller): BulkApproval {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw bad('', 'must be a JSON object: { "ids": [...] } or { "reasonPrefix": "...", "zone"? }');
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) throw bad(`/${key}`, 'is not a field of this call');
  }
  const actor = actorOf({ by: input.by, reason: input.reason }, caller);
  if (input.ids !== undefined) {
    if (input.reasonPrefix !== undefined || input.zone !== undefined) {
      throw bad('/ids', 'selects plans by id: leave out reasonPrefix and zone');
    }
    const ids = input.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > BULK_APPROVE_MAX) {
      throw bad('/ids', `must be an array of 1 to ${BULK_APPROVE_MAX} plan ids`);
    }
    return {
      selection: { ids: [...new Set(ids.map((id, i) => text(id, `/ids/${i}`, 64)))] },
      actor,
    };
  }
  if (input.reasonPrefix === undefined) {
    throw bad('/reasonPrefix', 'is required when ids is not given (e.g. "storm guard:")');
  }
  const reasonPrefix = text(input.reasonPrefix, '/reasonPrefix');
  const zone = input.zone === undefined ? undefined : text(input.zone, '/zone', 256);
  return { selection: { reasonPrefix, ...(zone ? { zone } : {}) }, actor };
}
