import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';

/**
 * Why a rule's decision is suppressed by its cooldown, or null when it may plan: the rule made a
 * plan (not blocked) for the same target less than `cooldownSeconds` before `now`.
 */
export function cooldownReason(
  rule: string,
  target: ResourceRefV1,
  cooldownSeconds: number,
  lastPlanAt: Date | null,
  now: number,
): string | null {
  if (cooldownSeconds <= 0 || !lastPlanAt) return null;
  const until = lastPlanAt.getTime() + cooldownSeconds * 1000;
  if (now >= until) return null;
  return `rule ${rule} made a plan for ${target.kind} ${target.id} at ${lastPlanAt.toISOString()}; cooldown ${cooldownSeconds}s runs until ${new Date(until).toISOString()}`;
}
