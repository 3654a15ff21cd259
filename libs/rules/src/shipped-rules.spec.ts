import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type FixtureResult, fixtureGaps, runFixture } from './rule-fixtures';
import { RuleSet } from './rule-set';

const RULES_DIR = join(__dirname, '..', '..', '..', 'rules');
const FIXTURES_DIR = join(RULES_DIR, 'fixtures');

const fixtures = readdirSync(FIXTURES_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(FIXTURES_DIR, dir.name))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir.name, f)),
  )
  .sort();

describe('shipped rules', () => {
  let rules: RuleSet;
  const results: FixtureResult[] = [];

  beforeAll(async () => {
    rules = new RuleSet({ dir: RULES_DIR });
    const report = await rules.reload();
    const refused = report.results.filter((r) => r.status === 'refused');
    expect(refused).toEqual([]);
  });

  it('all load, enabled, each with its own priority', () => {
    const names = rules.rules().map((r) => r.name);
    expect(names).toEqual([
      'capacity-unsurvivable-notify',
      'host-down-failover',
      'host-down-storm-guard',
      'host-hardware-degraded-migrate-off',
      'host-maintenance-drain',
      'host-maintenance-restore',
      'n-plus-one-no-standby',
      'n-plus-one-switch-over',
      'standby-down-restore-redundancy',
    ]);
    expect(rules.rules().every((r) => r.enabled && r.version === 1)).toBe(true);
    const priorities = rules.rules().map((r) => r.definition.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
  });

  it.each(fixtures)('fixture %s', async (fixture) => {
    const result = await runFixture(join(FIXTURES_DIR, fixture), rules.rules(), FIXTURES_DIR);
    results.push(result);
    expect(result.problems).toEqual([]);
  });

  it('every rule has a fixture where it decides and one where it does not', () => {
    expect(results).toHaveLength(fixtures.length);
    expect(fixtureGaps(rules.rules(), results)).toEqual([]);
  });
});
