import { promises as fs } from 'node:fs';
import { join, relative } from 'node:path';
import type { AlarmV1, ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { OnFailure, PlanMode, Policy } from '@reflex/contracts/plan.v1';
import type { MaintenanceWindow } from './facts/fact-source';
import { InMemoryFactSource } from './facts/in-memory-fact-source';
import { type Evaluation, evaluateRules } from './rule-evaluator';
import type { LoadedRule } from './rule.types';

/**
 * `rules/fixtures/<rule-name>/<case>.json`: an alarm, the inventory it arrives in, and the decision
 * the whole rule set must reach. Operators keep their own beside their rules and run them in CI with
 * `npm run rules -- fixtures`.
 */
export interface RuleFixture {
  description?: string;
  alarm: AlarmV1;
  inventory?: Partial<InventoryV1>;
  maintenance?: MaintenanceWindow[];
  /** ISO-8601, for the `now` fact. */
  now?: string;
  /** Hosts reported down within the zone-loss window; default: the inventory's hosts that are `down`. */
  reportedDown?: string[];
  expect: FixtureExpectation;
}

export interface FixtureExpectation {
  /** null: no rule may fire. */
  policy: Policy | null;
  rule?: string;
  target?: ResourceRefV1;
  mode?: PlanMode;
  onFailure?: OnFailure;
  /** A phrase the decision's reason must contain ("healthyStandby is 0"). */
  reasonIncludes?: string;
}

export interface FixtureResult {
  /** Path relative to the fixtures directory. */
  fixture: string;
  /** The rule the fixture is filed under (its directory). */
  rule: string;
  ok: boolean;
  problems: string[];
  expect?: FixtureExpectation;
  evaluation?: Evaluation;
}

export async function runFixtures(
  dir: string,
  rules: readonly LoadedRule[],
): Promise<FixtureResult[]> {
  const results: FixtureResult[] = [];
  for (const entry of await listFixtureFiles(dir)) {
    results.push(await runFixture(join(dir, entry), rules, dir));
  }
  return results;
}

export async function runFixture(
  path: string,
  rules: readonly LoadedRule[],
  root = join(path, '..', '..'),
): Promise<FixtureResult> {
  const fixture = relative(root, path);
  const rule = fixture.split(/[\\/]/)[0];
  let parsed: RuleFixture;
  try {
    parsed = JSON.parse(await fs.readFile(path, 'utf8')) as RuleFixture;
  } catch (error) {
    return { fixture, rule, ok: false, problems: [`cannot read: ${(error as Error).message}`] };
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.alarm || !parsed.expect) {
    return { fixture, rule, ok: false, problems: ['a fixture needs "alarm" and "expect"'] };
  }
  const facts = new InMemoryFactSource(parsed.inventory ?? {}, {
    now: parsed.now ? new Date(parsed.now) : undefined,
    maintenance: parsed.maintenance,
    reportedDown: parsed.reportedDown,
  });
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateRules(rules, parsed.alarm, facts);
  } catch (error) {
    return {
      fixture,
      rule,
      ok: false,
      problems: [`evaluation failed: ${(error as Error).message}`],
    };
  }
  const problems = compare(parsed.expect, evaluation);
  return { fixture, rule, ok: problems.length === 0, problems, expect: parsed.expect, evaluation };
}

/** Rule names with no fixture where they decide, or none where they do not. */
export function fixtureGaps(
  rules: readonly LoadedRule[],
  results: readonly FixtureResult[],
): string[] {
  const gaps: string[] = [];
  for (const { name } of rules) {
    const mine = results.filter((r) => r.rule === name && r.expect);
    if (!mine.some((r) => r.expect?.rule === name))
      gaps.push(`${name}: no fixture where it decides`);
    if (!mine.some((r) => r.expect?.rule !== name))
      gaps.push(`${name}: no fixture where it does not`);
  }
  return gaps;
}

function compare(expect: FixtureExpectation, evaluation: Evaluation): string[] {
  const d = evaluation.decision;
  if (expect.policy === null) {
    return d ? [`expected no decision, got ${d.policy} from ${d.rule.name}`] : [];
  }
  if (!d) {
    const why =
      evaluation.whyNot.map((w) => w.why).join('; ') || 'no rule is about this alarm type';
    return [`expected ${expect.policy}, got no decision (${why})`];
  }
  const problems: string[] = [];
  const check = (what: string, wanted: unknown, got: unknown) => {
    if (wanted !== undefined && JSON.stringify(wanted) !== JSON.stringify(got)) {
      problems.push(`expected ${what} ${JSON.stringify(wanted)}, got ${JSON.stringify(got)}`);
    }
  };
  check('policy', expect.policy, d.policy);
  check('rule', expect.rule, d.rule.name);
  check('target', expect.target, d.target);
  check('mode', expect.mode, d.mode);
  check('onFailure', expect.onFailure, d.onFailure);
  if (expect.reasonIncludes !== undefined && !d.reason.includes(expect.reasonIncludes)) {
    problems.push(
      `expected the reason to include ${JSON.stringify(expect.reasonIncludes)}: ${d.reason}`,
    );
  }
  return problems;
}

async function listFixtureFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const ruleDir of (await fs.readdir(dir, { withFileTypes: true })).filter((e) =>
    e.isDirectory(),
  )) {
    const files = await fs.readdir(join(dir, ruleDir.name));
    for (const f of files.filter((n) => n.endsWith('.json')).sort())
      out.push(join(ruleDir.name, f));
  }
  return out.sort();
}
