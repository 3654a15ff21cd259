import type { ConditionResult, Evaluation } from '../../libs/rules/src';

/**
 * How a rule evaluation reads on a terminal, for `npm run rules -- test` (offline) and
 * `reflex rules test|dry-run` (the engine's answer): type-only imports, so `reflex` starts without
 * loading the rules engine.
 */
export function formatCondition(c: ConditionResult): string {
  const mark = c.result === null ? '-' : c.result !== c.negated ? '✓' : '✗';
  const op = `${c.negated ? 'not ' : ''}${c.operator}`;
  const compared = c.valueResult !== undefined ? ` (= ${JSON.stringify(c.valueResult)})` : '';
  const value = c.result === null ? 'not evaluated' : `fact value ${JSON.stringify(c.factValue)}`;
  return `${mark} ${c.at}: ${c.fact} ${c.path ?? '$'} ${op} ${JSON.stringify(c.value)}${compared} → ${value}`;
}

/** The decision and its parameters, or why there is none. */
export function decisionLines(evaluation: Pick<Evaluation, 'decision' | 'whyNot'>): string[] {
  const d = evaluation.decision;
  if (!d) return ['decision: none', ...evaluation.whyNot.map((w) => `  ${w.why}`)];
  return [
    `decision: ${d.policy} on ${d.target.kind} ${d.target.id} (mode ${d.mode}, onFailure ${d.onFailure}, cooldown ${d.cooldownSeconds} s)`,
    `  reason: ${d.reason}`,
  ];
}
