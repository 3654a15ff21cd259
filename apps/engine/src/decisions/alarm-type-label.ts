import { SHIPPED_ALARM_TYPES } from '@reflex/contracts';
import type { LoadedRule } from '@reflex/rules';

/** What `reflex_alarms_total{type}` says for a type no rule names: anyone may send any type. */
export const OTHER_ALARM_TYPE = 'other';

const namedByRules = new WeakMap<readonly LoadedRule[], ReadonlySet<string>>();

/**
 * The `type` label of an alarm: its type when the shipped rules or a loaded rule name it, `other`
 * otherwise. The type is free text from the sender; as a label each new one would be a new time
 * series in /metrics for good (2,000 junk types made it 527 KB).
 */
export function alarmTypeLabel(type: string, rules: readonly LoadedRule[]): string {
  let known = namedByRules.get(rules);
  if (!known) {
    known = new Set<string>([...SHIPPED_ALARM_TYPES, ...rules.flatMap(typesNamedBy)]);
    // The rule set is an immutable snapshot, swapped whole on reload: one scan per version.
    namedByRules.set(rules, known);
  }
  return known.has(type) ? type : OTHER_ALARM_TYPE;
}

/** The values a rule compares `alarm.type` with (`equal` / `in`), anywhere in its conditions. */
function typesNamedBy(rule: LoadedRule): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const c = node as Record<string, unknown>;
    for (const key of ['all', 'any'])
      if (Array.isArray(c[key])) (c[key] as unknown[]).forEach(visit);
    if (c.not) visit(c.not);
    if (c.fact !== 'alarm' || c.path !== '$.type') return;
    for (const value of Array.isArray(c.value) ? c.value : [c.value]) {
      if (typeof value === 'string') found.push(value);
    }
  };
  visit(rule.definition.conditions);
  return found;
}
