/** The words of intake's dispositions that need no rule: pure, so they read the same everywhere. */

/** An alarm already firing, as the decision about a re-sent one finds it. */
export interface FiringAlarm {
  occurredAt: Date;
  planId: string | null;
  planState?: string | null;
  planReason?: string | null;
}

/**
 * Why a firing alarm sent again is a duplicate. A re-sent request must not read as progress when
 * its plan is blocked: the reason says why again.
 */
export function duplicateReason(alarm: { source: string; id: string }, open: FiringAlarm): string {
  const since = `alarm ${alarm.source}/${alarm.id} is already firing (since ${open.occurredAt.toISOString()})`;
  if (open.planState !== 'blocked') return since;
  return `${since}; its plan ${open.planId} is blocked: ${open.planReason?.replace(/^blocked: /, '')}`;
}

/** What closing an alarm did: nothing open, closed, or closed with its unstarted plan cancelled. */
export function resolvedReason(open: { planId: string | null } | null, cancelled: boolean): string {
  if (!open) return 'no open alarm to close';
  return cancelled ? `closed; plan ${open.planId} cancelled as it had not started` : 'closed';
}
