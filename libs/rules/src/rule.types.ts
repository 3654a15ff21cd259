import type { ResourceKind, ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { OnFailure, PlanMode, Policy } from '@reflex/contracts/plan.v1';
import type { FieldError } from '@reflex/common';

/** The facts a rule may name (CONTRACT.md §5). Anything else is refused when the rule loads. */
export const FACT_NAMES = [
  'alarm',
  'host',
  'instance',
  'group',
  'groupStatus',
  'hostLoad',
  'maintenance',
  'zoneLosses',
  'now',
] as const;
export type FactName = (typeof FACT_NAMES)[number];

/** A leaf condition, as json-rules-engine reads it. `value` may be `{ fact, path? }` (a fact reference). */
export interface LeafCondition {
  fact: FactName;
  operator: string;
  value: unknown;
  path?: string;
  name?: string;
  priority?: number;
}
export interface AllCondition {
  all: ConditionNode[];
  name?: string;
  priority?: number;
}
export interface AnyCondition {
  any: ConditionNode[];
  name?: string;
  priority?: number;
}
export interface NotCondition {
  not: ConditionNode;
  name?: string;
  priority?: number;
}
export type BooleanCondition = AllCondition | AnyCondition | NotCondition;
export type ConditionNode = LeafCondition | BooleanCondition;

/**
 * `target`: a literal resource, or which fact's object the plan is about (`host` on an instance alarm
 * targets the instance's host). Absent: the alarm's resource.
 */
export type RuleTarget = ResourceRefV1 | ResourceKind | 'alarm';

export interface RuleEventParams {
  onFailure?: OnFailure;
  target?: RuleTarget;
  message?: string;
  [param: string]: unknown;
}

/** One `rules/*.rule.json` file, after validation. */
export interface RuleDefinition {
  $schema?: string;
  name: string;
  description?: string;
  /** Declared by the author; when absent the rule set derives it from the hash history. */
  version?: number;
  enabled?: boolean;
  priority: number;
  mode: PlanMode;
  cooldownSeconds: number;
  conditions: BooleanCondition;
  event: { type: Policy; params?: RuleEventParams };
}

/** A problem in a rule: `path` is a JSONPath into the rule (`$.conditions.all[0].operator`). */
export interface RuleError extends FieldError {
  /** The same location as a JSON pointer (`/conditions/all/0/operator`), for API clients that use them. */
  pointer: string;
}

export interface RuleRef {
  name: string;
  version: number;
  hash: string;
}

/** A rule as the live set holds it. Immutable: a new version is a new object. */
export interface LoadedRule extends RuleRef {
  /** File name inside the rules directory (`n-plus-one-switch-over.rule.json`). */
  file: string;
  enabled: boolean;
  definition: RuleDefinition;
  /** ISO-8601: when this version became live in this process. */
  loadedAt: string;
}

/** Anything that can hand the evaluator the rules live right now (a RuleSet, or a fixed list). */
export interface RuleProvider {
  rules(): readonly LoadedRule[];
}
