import type { Policy } from '@reflex/contracts/plan.v1';
import { show } from './rule-error';
import type { RuleEventParams, RuleRef } from './rule.types';

/** One leaf condition of a rule, as evaluated for one alarm. */
export interface ConditionResult {
  /** Where it sits in the rule file: `$.conditions.all[2]`. */
  at: string;
  fact: string;
  path: string | null;
  operator: string;
  /** As written in the rule (a `{ fact, path }` reference stays a reference; see `valueResult`). */
  value: unknown;
  /** The fact's value at `path`; null when the fact or the path does not exist. */
  factValue: unknown;
  /** What a `{ fact, path }` value resolved to. */
  valueResult?: unknown;
  /** null: not evaluated, because an earlier condition already decided the rule. */
  result: boolean | null;
  /** Under an odd number of `not`: the rule needs this condition to be false. */
  negated: boolean;
}

export interface RuleOutcome {
  rule: RuleRef & { file: string };
  priority: number;
  fired: boolean;
  event: { type: Policy; params: RuleEventParams };
  conditions: ConditionResult[];
}

interface EngineCondition {
  all?: EngineCondition[];
  any?: EngineCondition[];
  not?: EngineCondition;
  fact?: string;
  path?: string;
  operator?: string;
  value?: unknown;
  factResult?: unknown;
  valueResult?: unknown;
  result?: boolean;
}

/** Flattens json-rules-engine's evaluated condition tree into its leaves, in file order. */
export function flattenConditions(root: unknown): ConditionResult[] {
  const out: ConditionResult[] = [];
  const visit = (node: EngineCondition, at: string, negated: boolean): void => {
    if (node.all) node.all.forEach((c, i) => visit(c, `${at}.all[${i}]`, negated));
    else if (node.any) node.any.forEach((c, i) => visit(c, `${at}.any[${i}]`, negated));
    else if (node.not) visit(node.not, `${at}.not`, !negated);
    else {
      const isReference =
        node.value !== null && typeof node.value === 'object' && 'fact' in node.value;
      const evaluated = typeof node.result === 'boolean';
      out.push({
        at,
        fact: String(node.fact),
        path: node.path ?? null,
        operator: String(node.operator),
        value: node.value,
        factValue: evaluated ? (node.factResult ?? null) : null,
        ...(isReference && evaluated ? { valueResult: node.valueResult ?? null } : {}),
        result: evaluated ? (node.result as boolean) : null,
        negated,
      });
    }
  };
  visit(root as EngineCondition, '$.conditions', false);
  return out;
}

/** `groupStatus.healthyStandby is 0 (needs greaterThan 0)` */
export function describeCondition(c: ConditionResult): string {
  const subject = c.path && c.path !== '$' ? `${c.fact}${c.path.slice(1)}` : c.fact;
  const wanted =
    c.valueResult !== undefined ? `${show(c.value)} (${show(c.valueResult)})` : show(c.value);
  const is = c.factValue === null ? 'is missing (null)' : `is ${show(c.factValue)}`;
  return `${subject} ${is} (needs ${c.negated ? 'not ' : ''}${c.operator} ${wanted})`;
}

/** A condition that holds the rule back: false where it must be true, or true under a `not`. */
function blocks(c: ConditionResult): boolean {
  return c.result !== null && c.result === c.negated;
}

/** The rule is about this alarm's type (it tests `alarm.type` positively and that test passed). */
export function matchesAlarmType(outcome: RuleOutcome): boolean {
  return outcome.conditions.some(
    (c) =>
      c.fact === 'alarm' &&
      c.path === '$.type' &&
      !c.negated &&
      c.result === true &&
      !c.operator.startsWith('not'),
  );
}

/**
 * Why a rule written for this alarm's type did not fire, in words: the conditions that held it
 * back with their fact values. null when the rule fired or is about another alarm type.
 */
export function describeWhyNot(outcome: RuleOutcome): string | null {
  if (outcome.fired || !matchesAlarmType(outcome)) return null;
  const blockers = outcome.conditions.filter(blocks);
  const detail =
    blockers.length > 0
      ? blockers.map(describeCondition).join('; ')
      : 'its conditions did not hold';
  return `${outcome.rule.name} v${outcome.rule.version} did not apply: ${detail}`;
}

/** One condition that held a rule back, with what it wanted and what the fact was. */
export interface ConditionMiss {
  at: string;
  fact: string;
  path: string | null;
  operator: string;
  /** The value the rule needs (a `{ fact, path }` reference resolved). */
  expected: unknown;
  /** The fact's value at `path`; null when the fact or path does not exist. */
  actual: unknown;
  /** The rule needs the condition to be false (it sits under a `not`). */
  negated: boolean;
  /** In words: `groupStatus.healthyStandby is 0 (needs greaterThan 0)`. */
  text: string;
}

/** The rule about this alarm's type that came nearest to firing, and what stopped it. */
export interface ClosestMiss {
  rule: RuleRef;
  priority: number;
  /** Conditions that held on a fact that exists (one that held only on a missing fact counts not). */
  passed: number;
  failed: ConditionMiss[];
}

/**
 * Among the rules written for this alarm's type that did not fire, the one that got furthest: the
 * most conditions passed, then the highest priority, then the name (the evaluator's order). A
 * condition that held only because its fact is missing (`not groupStatus.healthyStandby > 0` for
 * an instance in no group) is no progress and does not count. null
 * when no rule is about this type, which is the other "no rule" an operator must tell apart.
 */
export function closestMiss(notFired: readonly RuleOutcome[]): ClosestMiss | null {
  let best: ClosestMiss | null = null;
  for (const outcome of notFired) {
    if (outcome.fired || !matchesAlarmType(outcome)) continue;
    const passed = outcome.conditions.filter(
      (c) => c.result !== null && !blocks(c) && c.factValue !== null,
    ).length;
    if (best !== null && passed <= best.passed) continue;
    best = {
      rule: { name: outcome.rule.name, version: outcome.rule.version, hash: outcome.rule.hash },
      priority: outcome.priority,
      passed,
      failed: outcome.conditions.filter(blocks).map(missOf),
    };
  }
  return best;
}

function missOf(c: ConditionResult): ConditionMiss {
  return {
    at: c.at,
    fact: c.fact,
    path: c.path,
    operator: c.operator,
    expected: c.valueResult !== undefined ? c.valueResult : c.value,
    actual: c.factValue,
    negated: c.negated,
    text: describeCondition(c),
  };
}
