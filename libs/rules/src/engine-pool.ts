import { Engine, type PathResolver } from 'json-rules-engine';
import { registerReflexOperators } from './operators';
import { FACT_NAMES, type FactName, type LoadedRule } from './rule.types';
import { resolveSimplePath } from './simple-path';

/**
 * The alarm itself and the clock are evaluated first: most rules are about another alarm type, and
 * a failed `alarm.type` condition then settles the rule before any inventory fact is read.
 */
const IN_MEMORY_FACTS = new Set<FactName>(['alarm', 'now']);

/** Idle engines kept per rule list: as many as evaluations usually run at once, and some. */
const MAX_IDLE = 8;

/**
 * json-rules-engine Engines with a given rule list, built once and reused: building one (its rules,
 * conditions and operators) cost as much as running it. An Engine keeps run state (its `status`,
 * which a finishing run sets to FINISHED under a concurrent one, skipping that run's remaining
 * rules), so an engine runs one evaluation at a time: `take` hands out an idle one or builds one.
 *
 * The facts' values are the run's (`engine.run(facts)`: each run has its own almanac and fact
 * cache); the engine holds only stand-ins that carry the facts' priorities, which json-rules-engine
 * reads from the engine's own facts when it orders a rule's conditions.
 */
export class EnginePool {
  private readonly idle: Engine[] = [];
  /** The rules the engines run, by name. */
  readonly byName: ReadonlyMap<string, LoadedRule>;

  constructor(readonly rules: readonly LoadedRule[]) {
    this.byName = new Map(rules.map((r) => [r.name, r]));
  }

  take(): Engine {
    return this.idle.pop() ?? this.build();
  }

  /** Only after a run that settled: a failed run may still have rule evaluations under way. */
  give(engine: Engine): void {
    if (this.idle.length < MAX_IDLE) this.idle.push(engine);
  }

  private build(): Engine {
    const engine = new Engine([], {
      allowUndefinedFacts: false,
      pathResolver: resolveSimplePath as PathResolver,
    });
    registerReflexOperators(engine);
    for (const name of FACT_NAMES) {
      engine.addFact(name, standIn(name), { priority: IN_MEMORY_FACTS.has(name) ? 2 : 1 });
    }
    for (const rule of this.rules) {
      engine.addRule({
        name: rule.name,
        priority: rule.definition.priority,
        conditions: rule.definition.conditions,
        event: rule.definition.event,
      });
    }
    return engine;
  }
}

/** Every run passes every fact, so a stand-in is never asked for its value. */
const standIn = (name: FactName) => () => {
  throw new Error(`fact ${name} was not given to the run`);
};

/** Per rule list: its pools, by which of its rules they run (the names, in the list's order). */
const pools = new WeakMap<readonly LoadedRule[], Map<string, EnginePool>>();

/**
 * The pool for these rules of a list (`chosen`: which of them run). A rule set's snapshot is
 * swapped whole on reload, so a new snapshot gets new engines and the old ones go with it. A list
 * has as many pools as distinct choices of its rules, not one per alarm type.
 */
export function enginePoolFor(
  rules: readonly LoadedRule[],
  chosen: (rule: LoadedRule) => boolean,
): EnginePool {
  let byChoice = pools.get(rules);
  if (!byChoice) {
    byChoice = new Map();
    pools.set(rules, byChoice);
  }
  const run = rules.filter(chosen);
  const key = run.map((r) => r.name).join('\n');
  let pool = byChoice.get(key);
  if (!pool) {
    pool = new EnginePool(run);
    byChoice.set(key, pool);
  }
  return pool;
}
