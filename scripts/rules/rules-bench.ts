/**
 * What one alarm evaluation costs with a fresh json-rules-engine Engine per evaluation (the design),
 * and how much of that is building the Engine, over the shipped rules and an in-memory inventory:
 * `node -r @swc-node/register scripts/rules/rules-bench.ts`
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AlarmV1 } from '@reflex/contracts/alarm.v1';
import { Engine } from 'json-rules-engine';
import { InMemoryFactSource, RuleSet, evaluateRules } from '../../libs/rules/src';
import { registerReflexOperators } from '../../libs/rules/src/operators';
import fixture from '../../rules/fixtures/n-plus-one-switch-over/active-down-with-healthy-standby.json';

async function main(): Promise<void> {
  const rules = new RuleSet({ dir: join(__dirname, '..', '..', 'rules') });
  await rules.reload();
  const facts = new InMemoryFactSource(fixture.inventory as never);
  const alarm = fixture.alarm as AlarmV1;
  const loaded = rules.rules();

  const time = async (label: string, n: number, concurrency: number) => {
    for (let i = 0; i < 2000; i++) await evaluateRules(loaded, alarm, facts); // warm-up (JIT)
    const start = performance.now();
    for (let i = 0; i < n; i += concurrency) {
      await Promise.all(
        Array.from({ length: concurrency }, () => evaluateRules(loaded, alarm, facts)),
      );
    }
    const micros = ((performance.now() - start) * 1000) / n;
    console.log(
      `${label}: ${micros.toFixed(1)} µs per alarm (${n} evaluations, ${loaded.length} rules)`,
    );
  };
  const build = () => {
    const engine = new Engine([], { allowUndefinedFacts: false });
    registerReflexOperators(engine);
    for (const r of loaded) {
      engine.addRule({
        name: r.name,
        priority: r.definition.priority,
        conditions: r.definition.conditions,
        event: r.definition.event,
      });
    }
    return engine;
  };
  for (let i = 0; i < 5000; i++) build();
  const start = performance.now();
  for (let i = 0; i < 50000; i++) build();
  console.log(
    `building an Engine with ${loaded.length} rules: ${(((performance.now() - start) * 1000) / 50000).toFixed(1)} µs`,
  );

  await time('sequential, fresh Engine each', 20000, 1);
  await time('16 concurrent, fresh Engine each', 20000, 16);
}

void main();
