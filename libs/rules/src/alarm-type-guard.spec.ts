import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mayBeAbout } from './alarm-type-guard';
import { InMemoryFactSource } from './facts/in-memory-fact-source';
import { evaluateRules } from './rule-evaluator';
import type { RuleFixture } from './rule-fixtures';
import { RuleSet } from './rule-set';
import { loaded } from './testing/evaluation-fixtures';
import { sampleRule } from './testing/rule-files';

const RULES_DIR = join(__dirname, '..', '..', '..', 'rules');
const FIXTURES_DIR = join(RULES_DIR, 'fixtures');

const typeTest = (operator: string, value: unknown) => ({
  fact: 'alarm',
  path: '$.type',
  operator,
  value,
});
const ruleWith = (conditions: unknown) => loaded(sampleRule('r', { conditions }));

describe('mayBeAbout', () => {
  it('leaves out a rule whose top-level all tests alarm.type against other literals', () => {
    const equal = ruleWith({ all: [typeTest('equal', 'host.down')] });
    expect(mayBeAbout(equal, 'host.down')).toBe(true);
    expect(mayBeAbout(equal, 'instance.down')).toBe(false);
    const within = ruleWith({ all: [typeTest('in', ['a', 'b']), typeTest('equal', 'a')] });
    expect(mayBeAbout(within, 'a')).toBe(true);
    expect(mayBeAbout(within, 'c')).toBe(false);
    // It cannot fire for `b`, but its `in` test passes for `b`, so it explains itself to `b`.
    expect(mayBeAbout(within, 'b')).toBe(true);
  });

  it('keeps a rule whenever its conditions could still say it is about the type', () => {
    const cases = [
      // No type test at the top: it may fire for any type.
      { any: [typeTest('equal', 'a'), typeTest('equal', 'b')] },
      { all: [{ any: [typeTest('equal', 'a')] }] },
      // A test that passes for `b` marks the rule as about `b`, though it cannot fire.
      { all: [typeTest('equal', 'a'), { any: [typeTest('equal', 'b')] }] },
      // Not a literal: cannot be told from the rule.
      { all: [typeTest('equal', { fact: 'alarm', path: '$.source' })] },
      { all: [typeTest('startsWith', 'a')] },
    ];
    for (const conditions of cases) expect(mayBeAbout(ruleWith(conditions), 'b')).toBe(true);
  });

  it('ignores negated tests, which never make a rule about a type', () => {
    const rule = ruleWith({
      all: [typeTest('equal', 'a'), { not: typeTest('equal', 'b') }, typeTest('notEqual', 'b')],
    });
    expect(mayBeAbout(rule, 'b')).toBe(false);
  });
});

describe('evaluateRules with onlyRulesForType', () => {
  const fixtures: RuleFixture[] = readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(FIXTURES_DIR, dir.name))
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(FIXTURES_DIR, dir.name, f), 'utf8'))),
    );
  let rules: RuleSet;

  beforeAll(async () => {
    rules = new RuleSet({ dir: RULES_DIR });
    await rules.reload();
  });

  it('decides and explains every shipped fixture, and other alarm types, as the full evaluation', async () => {
    const alarms = fixtures.flatMap((f) => [
      { f, alarm: f.alarm },
      { f, alarm: { ...f.alarm, type: 'no.rule.for.this' } },
      { f, alarm: { ...f.alarm, state: 'resolved' as const } },
    ]);
    expect(fixtures.length).toBeGreaterThan(10);
    for (const { f, alarm } of alarms) {
      const facts = () =>
        new InMemoryFactSource(f.inventory ?? {}, {
          now: new Date(f.now ?? '2026-12-01T10:00:00Z'),
          maintenance: f.maintenance,
          reportedDown: f.reportedDown,
        });
      const full = await evaluateRules(rules.rules(), alarm, facts());
      const only = await evaluateRules(rules.rules(), alarm, facts(), { onlyRulesForType: true });
      // Everything but notFired: fired, whyNot, closest, the decision.
      expect({ ...only, notFired: null }).toEqual({ ...full, notFired: null });
      // What it leaves out of notFired are the rules about other types, and only those.
      const kept = (name: string) => only.notFired.some((n) => n.rule.name === name);
      for (const o of full.notFired) {
        expect([o.rule.name, kept(o.rule.name)]).toEqual([
          o.rule.name,
          mayBeAbout(rules.get(o.rule.name)!, alarm.type),
        ]);
      }
      expect(only.notFired).toEqual(full.notFired.filter((o) => kept(o.rule.name)));
    }
  });
});
