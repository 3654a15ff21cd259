import { basename, join } from 'node:path';
import type { AlarmV1 } from '@reflex/contracts/alarm.v1';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import { ValidationError } from '@reflex/common';
import {
  type Evaluation,
  InMemoryFactSource,
  type LoadedRule,
  type MaintenanceWindow,
  RULE_FILE_SUFFIX,
  evaluateRules,
  readRuleFile,
} from '../../libs/rules/src';
import {
  BadInput,
  type CliOptions,
  EXIT_FAILED,
  EXIT_OK,
  exists,
  print,
  printJson,
  readJsonFile,
  shortHash,
} from './cli-io';
import { decisionLines, formatCondition } from './evaluation-format';

/**
 * `test <rule-file-or-name> <alarm.json> [inventory.json]`: one rule against one alarm. The alarm
 * file may also be a fixture (`{ alarm, inventory, ... }`); an inventory file given on the command
 * line wins over the fixture's. Exit 0 when the rule fired, 1 when it did not, 2 on bad input.
 */
export async function testCommand(args: string[], options: CliOptions): Promise<number> {
  const [ruleArg, alarmPath, inventoryPath] = args;
  if (!ruleArg || !alarmPath)
    throw new BadInput('usage: test <rule-file-or-name> <alarm.json> [inventory.json]');
  const rule = await loadRule(ruleArg, options.rulesDir);

  const input = (await readJsonFile(alarmPath, 'alarm')) as Record<string, unknown> | null;
  const isFixture = !!input && typeof input === 'object' && 'alarm' in input;
  const alarm = (isFixture ? input.alarm : input) as AlarmV1;
  let inventory = (isFixture ? input.inventory : undefined) as Partial<InventoryV1> | undefined;
  if (inventoryPath)
    inventory = (await readJsonFile(inventoryPath, 'inventory')) as Partial<InventoryV1>;
  if (
    inventory !== undefined &&
    (inventory === null || typeof inventory !== 'object' || Array.isArray(inventory))
  ) {
    throw new BadInput('the inventory must be an object { hosts, instances, groups }');
  }
  const facts = new InMemoryFactSource(inventory ?? {}, {
    maintenance: isFixture ? (input.maintenance as MaintenanceWindow[] | undefined) : undefined,
    now: isFixture && typeof input.now === 'string' ? new Date(input.now) : undefined,
  });

  let evaluation: Evaluation;
  try {
    evaluation = await evaluateRules([rule], alarm, facts, { includeDisabled: true });
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new BadInput(
        `${error.message}: ${error.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
    }
    throw error;
  }
  const outcome = evaluation.fired[0] ?? evaluation.notFired[0];
  if (options.json) printJson(evaluation);
  else {
    const disabled = rule.enabled ? '' : ' (disabled: the engine would not run it)';
    print(
      `rule ${rule.name} v${rule.version} sha256 ${shortHash(rule.hash)}${disabled}: ${outcome.fired ? 'FIRED' : 'NOT FIRED'}`,
    );
    for (const c of outcome.conditions) print(`  ${formatCondition(c)}`);
    decisionLines(evaluation).forEach((line) => print(line));
  }
  return outcome.fired ? EXIT_OK : EXIT_FAILED;
}

async function loadRule(arg: string, rulesDir: string): Promise<LoadedRule> {
  const path =
    arg.endsWith('.json') || (await exists(arg))
      ? arg
      : join(rulesDir, `${arg}${RULE_FILE_SUFFIX}`);
  if (!(await exists(path))) throw new BadInput(`no rule file ${path}`);
  const read = await readRuleFile(path, basename(path));
  if (!read.ok) {
    throw new BadInput(
      `${path} is not a valid rule:\n${read.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`,
    );
  }
  return {
    name: read.rule.name,
    // Outside the engine there is no version history: the declared version, or 1.
    version: read.rule.version ?? 1,
    hash: read.hash,
    file: basename(path),
    enabled: read.rule.enabled !== false,
    definition: read.rule,
    loadedAt: new Date().toISOString(),
  };
}
