import type { ConditionNode, LeafCondition, LoadedRule } from './rule.types';

const isTypeTest = (c: LeafCondition) => c.fact === 'alarm' && c.path === '$.type';

/** The alarm types a test of `alarm.type` can hold for, or null when it is not a literal test. */
function literalTypes(c: LeafCondition): string[] | null {
  if (c.operator === 'equal' && typeof c.value === 'string') return [c.value];
  if (c.operator === 'in' && Array.isArray(c.value) && c.value.every((v) => typeof v === 'string'))
    return c.value;
  return null;
}

/** Every leaf, with whether an odd number of `not` sits above it. */
function leaves(
  node: ConditionNode,
  negated = false,
): Array<{ leaf: LeafCondition; negated: boolean }> {
  if ('all' in node) return node.all.flatMap((c) => leaves(c, negated));
  if ('any' in node) return node.any.flatMap((c) => leaves(c, negated));
  if ('not' in node) return leaves(node.not, !negated);
  return [{ leaf: node, negated }];
}

/**
 * The alarm types a rule can be about, or null when that cannot be told from the rule alone.
 * For a type outside them, a test of `alarm.type` in its top-level `all` fails, so it does not fire,
 * and no positive test of `alarm.type` anywhere in it passes, so no condition says the rule is about
 * that type (`matchesAlarmType` in rule-explanation.ts, which decides whether a rule that did not
 * fire explains why): every such test compares with literals, and the types are all of those.
 */
function typesOf(rule: LoadedRule): ReadonlySet<string> | null {
  const root = rule.definition.conditions as ConditionNode;
  if (!('all' in root)) return null;
  const guarded = root.all.some(
    (c) => !('all' in c || 'any' in c || 'not' in c) && isTypeTest(c) && literalTypes(c) !== null,
  );
  if (!guarded) return null;
  const types = new Set<string>();
  for (const { leaf, negated } of leaves(root)) {
    // Negated tests, and `not…` operators, never make a rule about a type (matchesAlarmType).
    if (!isTypeTest(leaf) || negated || leaf.operator.startsWith('not')) continue;
    const literal = literalTypes(leaf);
    if (literal === null) return null;
    for (const t of literal) types.add(t);
  }
  return types;
}

const known = new WeakMap<LoadedRule, ReadonlySet<string> | null>();

/**
 * False when the rule can neither fire for an alarm of this type nor explain why it did not (it is
 * written for other types): deciding such an alarm need not evaluate it. True when it may.
 */
export function mayBeAbout(rule: LoadedRule, alarmType: string): boolean {
  let types = known.get(rule);
  if (types === undefined) {
    types = typesOf(rule);
    known.set(rule, types);
  }
  return types === null || types.has(alarmType);
}
