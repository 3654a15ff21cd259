import { performance } from 'node:perf_hooks';
import { evaluateRules, InMemoryFactSource, RuleSet } from '@reflex/rules';
import { intakeCloud, noPlanAlarms, planAlarms } from '../support/intake-cloud';
import { RULES_DIR } from '../scenarios/intake/raw-floor';

/**
 * `node -r @swc-node/register bench/experiments/rule-evaluation.ts`: the evaluator's CPU per alarm
 * (in-memory facts, no database), on the intake scenario's no-plan and plan-making alarms, evaluations
 * one after another as intake makes them. For telling the evaluator's own cost from intake's.
 */
async function main() {
  const cloud = intakeCloud(2_000);
  const rules = new RuleSet({ dir: RULES_DIR });
  await rules.reload();
  const facts = new InMemoryFactSource(cloud.inventory);
  const sets = {
    'no-plan': noPlanAlarms(cloud, 5_000, 'np').slice(0, 2_500),
    plan: planAlarms(cloud, 0, 1_000, 'pl'),
  };
  for (let round = 0; round < 3; round++) {
    for (const [name, alarms] of Object.entries(sets)) {
      const started = performance.now();
      for (const alarm of alarms) await evaluateRules(rules.rules(), alarm, facts);
      const all = performance.now() - started;
      for (const alarm of alarms)
        await evaluateRules(rules.rules(), alarm, facts, { onlyRulesForType: true });
      const only = performance.now() - started - all;
      const each = (ms: number) => `${((1000 * ms) / alarms.length).toFixed(1)} µs`;
      console.log(`${name}: ${each(all)} per alarm, ${each(only)} with onlyRulesForType`);
    }
  }
}

void main();
