import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { describeAction } from '@reflex/domain';
import type { TimelineEntry } from './plan-rows';

/** A timeline entry as the API answers it: the actions it mentions named, not only numbered. */
export type NamedTimelineEntry = TimelineEntry & {
  /** The entry's own action as an operator names it (`evacuate vm-1 cmp-04 -> cmp-07`); null for plan lines. */
  action: string | null;
  /** Every action of the plan the entry's detail refers to by id (`failed`, `dependency`, `by`...), named. */
  actions: Record<string, string>;
};

/**
 * The domain records action ids in timeline details (`failed: [id]`, `dependency: id`,
 * `compensationFor: id`): stable, but meaningless to a reader. Naming them when read covers every
 * entry ever stored, whatever detail key a lifecycle step used.
 */
export function nameTimeline(
  entries: readonly TimelineEntry[],
  actions: readonly ActionV1[],
): NamedTimelineEntry[] {
  const names = new Map(actions.map((a) => [a.id, describeAction(a)]));
  return entries.map((entry) => ({
    ...entry,
    action: entry.actionId ? (names.get(entry.actionId) ?? null) : null,
    actions: mentionedIn(entry.detail, names, entry.actionId),
  }));
}

/** The plan's actions that `detail` refers to by id, named; `own` (the entry's action) left out. */
export function actionsMentioned(
  detail: unknown,
  actions: readonly ActionV1[],
): Record<string, string> {
  return mentionedIn(detail, new Map(actions.map((a) => [a.id, describeAction(a)])), null);
}

function mentionedIn(
  detail: unknown,
  names: ReadonlyMap<string, string>,
  own: string | null,
): Record<string, string> {
  const mentioned: Record<string, string> = {};
  for (const id of idsIn(detail)) {
    const name = names.get(id);
    if (name !== undefined && id !== own) mentioned[id] = name;
  }
  return mentioned;
}

function idsIn(detail: unknown): string[] {
  if (typeof detail === 'string') return [detail];
  if (Array.isArray(detail)) return detail.flatMap(idsIn);
  if (detail !== null && typeof detail === 'object') return Object.values(detail).flatMap(idsIn);
  return [];
}
