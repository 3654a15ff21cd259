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

/**
 * The decision and its parameters, or why there is none: as the alarm's disposition would say it
 * (`no-rule` or `conditions-failed`), the closest rule's failing conditions first.
 */
export function decisionLines(
  evaluation: Pick<Evaluation, 'decision' | 'whyNot'> & Partial<Pick<Evaluation, 'closest'>>,
): string[] {
  const d = evaluation.decision;
  if (!d && evaluation.whyNot.length === 0) {
    return ['decision: none (no-rule: no rule is written for this alarm type)'];
  }
  if (!d) {
    const closest = evaluation.closest;
    return [
      'decision: none (conditions-failed)',
      ...(closest
        ? [
            `  closest: ${closest.rule.name} v${closest.rule.version}, held back by ` +
              closest.failed.map((f) => `${f.at} ${f.text}`).join('; '),
          ]
        : []),
      ...evaluation.whyNot.map((w) => `  ${w.why}`),
    ];
  }
  return [
    `decision: ${d.policy} on ${d.target.kind} ${d.target.id} (mode ${d.mode}, onFailure ${d.onFailure}, cooldown ${d.cooldownSeconds} s)`,
    `  reason: ${d.reason}`,
  ];
}
