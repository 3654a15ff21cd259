import { ValidationError } from '@reflex/common';
import { type AlarmV1, RESOURCE_KINDS, type ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { OnFailure, PlanMode, Policy } from '@reflex/contracts/plan.v1';
import type { RuleResult } from 'json-rules-engine';
import { mayBeAbout } from './alarm-type-guard';
import { enginePoolFor } from './engine-pool';
import { alarmFacts } from './facts/alarm-facts';
import type { FactSource } from './facts/fact-source';
import { InMemoryFactSource } from './facts/in-memory-fact-source';
import {
  type ClosestMiss,
  type ConditionResult,
  type RuleOutcome,
  closestMiss,
  describeWhyNot,
  flattenConditions,
} from './rule-explanation';
import type { LoadedRule, RuleEventParams, RuleProvider, RuleRef } from './rule.types';

/** What a decision hands the planner. */
export interface RuleIntent {
  policy: Policy;
  target: ResourceRefV1;
  mode: PlanMode;
  onFailure: OnFailure;
  rule: RuleRef;
  /** Per target resource: the engine makes no other plan from this rule for the target meanwhile. */
  cooldownSeconds: number;
  params: RuleEventParams;
  /** Every leaf condition of the winning rule with its fact value and result. */
  explanation: ConditionResult[];
  /** In words: the rule, its message if any, and why higher-priority rules for this alarm type did not apply. */
  reason: string;
  /** Rules written for this alarm's type that did not fire, each with why. */
  passedOver: Array<{ rule: RuleRef; why: string }>;
}

export interface Evaluation {
  alarm: { id: string; source: string; type: string; resource: ResourceRefV1 };
  /** Highest priority first, then by name: `fired[0]` made the decision. */
  fired: RuleOutcome[];
  notFired: RuleOutcome[];
  decision: RuleIntent | null;
  /** For every rule about this alarm's type that did not fire: why (see describeWhyNot). */
  whyNot: Array<{ rule: RuleRef; why: string }>;
  /**
   * When nothing fired: the rule about this alarm's type that came nearest, with its failing
   * conditions; null when no rule is about the type at all (or a rule fired).
   */
  closest: ClosestMiss | null;
}

export interface EvaluateOptions {
  /** Evaluate disabled rules too (the CLI's `test` of a single rule). */
  includeDisabled?: boolean;
  /**
   * Leave out the rules written for other alarm types (see mayBeAbout): they can neither fire nor
   * explain anything about this alarm, so `fired`, `whyNot`, `closest` and `decision` are the same,
   * and only `notFired` is shorter. For deciding; a dry run shows every rule.
   */
  onlyRulesForType?: boolean;
}

export interface DryRunInput {
  alarm: AlarmV1;
  inventory?: Partial<InventoryV1>;
}

/**
 * Decides which rule applies to an alarm. Evaluations may run concurrently, each on an Engine of its
 * own (see EnginePool) with its own almanac and fact cache; each reads the rule set once, at its start.
 */
export class RuleEvaluator {
  constructor(private readonly provider: RuleProvider) {}

  evaluate(alarm: AlarmV1, facts: FactSource, options: EvaluateOptions = {}): Promise<Evaluation> {
    return evaluateRules(this.provider.rules(), alarm, facts, options);
  }

  /** `POST /v1/rules/evaluate`: against the given inventory, or the live one when none is given. */
  dryRun(input: DryRunInput, live: FactSource): Promise<Evaluation> {
    const facts = input.inventory ? new InMemoryFactSource(input.inventory) : live;
    return this.evaluate(input.alarm, facts);
  }
}

export async function evaluateRules(
  rules: readonly LoadedRule[],
  alarm: AlarmV1,
  facts: FactSource,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  assertEvaluable(alarm);
  const pool = enginePoolFor(
    rules,
    (r) =>
      (options.includeDisabled || r.enabled) &&
      (!options.onlyRulesForType || mayBeAbout(r, alarm.type)),
  );
  const byName = pool.byName;
  if (pool.rules.length === 0) return nothingFired(alarm);
  const engine = pool.take();
  const run = await engine.run(alarmFacts(alarm, facts));
  pool.give(engine);

  const outcome = (result: RuleResult): RuleOutcome => {
    const rule = byName.get(result.name)!;
    return {
      rule: { name: rule.name, version: rule.version, hash: rule.hash, file: rule.file },
      priority: rule.definition.priority,
      fired: result.result === true,
      // A copy: whoever receives the decision must not be able to edit the live rule.
      event: {
        type: rule.definition.event.type,
        params: copyOf(rule.definition.event.params ?? {}),
      },
      conditions: flattenConditions(result.conditions),
    };
  };
  const fired = run.results.map(outcome).sort(byPriorityThenName);
  const notFired = run.failureResults.map(outcome).sort(byPriorityThenName);
  const whyNot = notFired.flatMap((o) => {
    const why = describeWhyNot(o);
    return why === null ? [] : [{ rule: refOf(o), why }];
  });

  const priorityOf = (name: string) => byName.get(name)!.definition.priority;
  const winner = fired[0];
  const decision = winner
    ? buildIntent(
        winner,
        byName.get(winner.rule.name)!,
        await resolveTarget(winner, alarm, (name) => run.almanac.factValue(name)),
        whyNot.filter((w) => priorityOf(w.rule.name) >= winner.priority),
      )
    : null;

  return {
    alarm: { id: alarm.id, source: alarm.source, type: alarm.type, resource: alarm.resource },
    fired,
    notFired,
    decision,
    whyNot,
    closest: decision ? null : closestMiss(notFired),
  };
}

/**
 * A deep copy of a rule's JSON (what a rule file holds): plain objects, arrays and primitives, copied
 * by hand, several times faster than structuredClone for these small values; anything else by
 * structuredClone.
 */
function copyOf<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  // fromEntries defines each key, `__proto__` included, as an own property, as structuredClone does.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOf(v)])) as T;
}

function nothingFired(alarm: AlarmV1): Evaluation {
  return {
    alarm: { id: alarm.id, source: alarm.source, type: alarm.type, resource: alarm.resource },
    fired: [],
    notFired: [],
    decision: null,
    whyNot: [],
    closest: null,
  };
}

function buildIntent(
  winner: RuleOutcome,
  rule: LoadedRule,
  target: { ref: ResourceRefV1; note?: string },
  passedOver: Array<{ rule: RuleRef; why: string }>,
): RuleIntent {
  const params = winner.event.params;
  const parts = [`${rule.name} v${rule.version} decided ${winner.event.type}.`];
  if (typeof params.message === 'string') parts.push(params.message);
  if (target.note) parts.push(target.note);
  for (const p of passedOver) parts.push(`${p.why}.`);
  return {
    policy: winner.event.type,
    target: target.ref,
    mode: rule.definition.mode,
    onFailure: params.onFailure ?? 'rollback',
    rule: refOf(winner),
    cooldownSeconds: rule.definition.cooldownSeconds,
    params,
    explanation: winner.conditions,
    reason: parts.join(' '),
    passedOver,
  };
}

async function resolveTarget(
  winner: RuleOutcome,
  alarm: AlarmV1,
  factValue: (name: string) => Promise<unknown>,
): Promise<{ ref: ResourceRefV1; note?: string }> {
  const target = winner.event.params.target;
  if (target === undefined || target === 'alarm') return { ref: alarm.resource };
  if (typeof target === 'object') return { ref: { kind: target.kind, id: target.id } };
  if (target === alarm.resource.kind) return { ref: alarm.resource };
  const object = (await factValue(target)) as { id?: unknown } | null;
  if (object && typeof object.id === 'string') return { ref: { kind: target, id: object.id } };
  return {
    ref: alarm.resource,
    note: `The rule targets the alarm's ${target}, which the inventory does not know; the plan targets the alarm's ${alarm.resource.kind} ${alarm.resource.id} instead.`,
  };
}

function refOf(o: RuleOutcome): RuleRef {
  return { name: o.rule.name, version: o.rule.version, hash: o.rule.hash };
}

function byPriorityThenName(a: RuleOutcome, b: RuleOutcome): number {
  return (
    b.priority - a.priority || (a.rule.name < b.rule.name ? -1 : a.rule.name > b.rule.name ? 1 : 0)
  );
}

/** The evaluator needs a type and a resource; full Alarm v1 validation is the intake's job. */
function assertEvaluable(alarm: AlarmV1): void {
  const errors = [];
  const a = alarm as Partial<AlarmV1> | null;
  if (!a || typeof a !== 'object') {
    throw new ValidationError('alarm must be an object', [
      { path: '$', message: 'must be an object' },
    ]);
  }
  if (typeof a.type !== 'string') errors.push({ path: '$.type', message: 'must be a string' });
  if (!a.resource || typeof a.resource !== 'object') {
    errors.push({ path: '$.resource', message: 'must be an object { kind, id }' });
  } else {
    if (!(RESOURCE_KINDS as readonly string[]).includes(a.resource.kind)) {
      errors.push({
        path: '$.resource.kind',
        message: `must be one of: ${RESOURCE_KINDS.join(', ')}`,
      });
    }
    if (typeof a.resource.id !== 'string')
      errors.push({ path: '$.resource.id', message: 'must be a string' });
  }
  if (errors.length > 0) throw new ValidationError('alarm cannot be evaluated', errors);
}
