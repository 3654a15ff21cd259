import type { RuleListV1, RuleVerdictV1 } from '@reflex/contracts';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { Evaluation, RuleOutcome } from '../../libs/rules/src';
import { describeAction } from '../demo/plan-watcher';
import {
  BadInput,
  EXIT_FAILED,
  EXIT_OK,
  print,
  printJson,
  readJsonFile,
  shortHash,
} from '../rules/cli-io';
import { decisionLines, formatCondition } from '../rules/evaluation-format';
import type { CliContext, Command } from './cli-context';
import { table } from './table';

type DryRun = Evaluation & {
  plan: {
    state: string;
    actions: Array<Pick<ActionV1, 'seq' | 'type' | 'params'>>;
    reason: string | null;
  } | null;
};

const validate: Command = {
  name: 'rules validate',
  args: '<file>',
  summary: 'Check a rule file with the engine (POST /v1/rules/validate); nothing is loaded',
  help: [
    'Exit status: 0 when the rule is valid, 1 when it is not (each error names its JSON path).',
  ],
  async run(ctx, [file]) {
    const verdict = await ctx.client.request<RuleVerdictV1>(
      'POST',
      '/v1/rules/validate',
      await readJsonFile(file, 'rule'),
    );
    if (ctx.json) printJson(verdict);
    else if (verdict.valid)
      print(`valid    ${file}  (${verdict.name}, sha256 ${shortHash(verdict.hash!)})`);
    else {
      print(`INVALID  ${file}`);
      for (const e of verdict.errors) print(`  ${e.path}: ${e.message}`);
    }
    return verdict.valid ? EXIT_OK : EXIT_FAILED;
  },
};

/** An alarm file may also be a rule fixture `{ alarm, inventory }`, as `npm run rules -- test` takes. */
async function dryRunBody(
  alarmFile: string,
  ruleFile: string | undefined,
  inventoryFile: string | undefined,
): Promise<Record<string, unknown>> {
  const input = await readJsonFile(alarmFile, 'alarm');
  const fixture = input !== null && typeof input === 'object' && 'alarm' in input;
  const body: Record<string, unknown> = { alarm: fixture ? input.alarm : input };
  const inventory = inventoryFile
    ? await readJsonFile(inventoryFile, 'inventory')
    : fixture
      ? (input as { inventory?: unknown }).inventory
      : undefined;
  if (inventory !== undefined) body.inventory = inventory;
  if (ruleFile) body.rule = await readJsonFile(ruleFile, 'rule');
  return body;
}

function outcomeLines(o: RuleOutcome): string[] {
  return [
    `rule ${o.rule.name} v${o.rule.version} (priority ${o.priority}): ${o.fired ? 'FIRED' : 'NOT FIRED'}`,
    ...o.conditions.map((c) => `  ${formatCondition(c)}`),
  ];
}

function planLines(result: DryRun): string[] {
  if (!result.plan) return [];
  return [
    `plan that would be made: ${result.plan.state}, ${result.plan.actions.length} actions`,
    ...result.plan.actions.map((a) => `  #${a.seq} ${describeAction(a)}`),
    ...(result.plan.reason ? [`  reason: ${result.plan.reason}`] : []),
  ];
}

async function evaluate(ctx: CliContext, body: Record<string, unknown>): Promise<DryRun> {
  const result = await ctx.client.request<DryRun>('POST', '/v1/rules/evaluate', body);
  if (ctx.json) printJson(result);
  return result;
}

const test: Command = {
  name: 'rules test',
  args: '<rule-file> <alarm.json> [inventory.json]',
  summary: 'Evaluate one rule, not loaded yet, against an alarm (and an inventory) on the engine',
  help: [
    'Without an inventory file the engine uses its live inventory. Nothing is stored.',
    'Exit status: 0 when the rule fired, 1 when it did not.',
  ],
  async run(ctx, [ruleFile, alarmFile, inventoryFile]) {
    const result = await evaluate(ctx, await dryRunBody(alarmFile, ruleFile, inventoryFile));
    const outcome = result.fired[0] ?? result.notFired[0];
    if (!outcome) throw new BadInput(`the rule in ${ruleFile} is not about this alarm`);
    if (!ctx.json) {
      [...outcomeLines(outcome), ...decisionLines(result), ...planLines(result)].forEach((l) =>
        print(l),
      );
    }
    return outcome.fired ? EXIT_OK : EXIT_FAILED;
  },
};

const dryRun: Command = {
  name: 'rules dry-run',
  args: '<alarm.json>',
  summary: 'What the engine would decide and plan for an alarm, now; nothing is stored',
  help: [
    '--rule <file>          a candidate rule, evaluated alone instead of the loaded rules',
    '--inventory <file>     an inventory to decide on instead of the live one',
  ],
  options: { rule: { type: 'string' }, inventory: { type: 'string' } },
  async run(ctx, [alarmFile], o) {
    const body = await dryRunBody(alarmFile, o.rule as string, o.inventory as string);
    const result = await evaluate(ctx, body);
    if (ctx.json) return EXIT_OK;
    const a = result.alarm;
    print(`alarm ${a.source}/${a.id}: ${a.type} on ${a.resource.kind} ${a.resource.id}`);
    const outcomes = [...result.fired, ...result.notFired];
    if (outcomes.length === 0) print('no rule is about this alarm');
    outcomes.forEach((o) => outcomeLines(o).forEach((l) => print(l)));
    [...decisionLines(result), ...planLines(result)].forEach((l) => print(l));
    return EXIT_OK;
  },
};

const list: Command = {
  name: 'rules list',
  args: '',
  summary: 'The live rules, and the rule files the engine refused with their errors',
  help: [
    'Highest priority first: for one alarm, the first rule that fires decides.',
    'A refused file is not live; the version of its rule loaded before, if any, stays live.',
    'Exit status: 0, or 1 when a rule file is refused.',
  ],
  async run(ctx) {
    const rules = await ctx.client.request<RuleListV1>('GET', '/v1/rules');
    const refused = rules.refused ?? [];
    if (ctx.json) printJson(rules);
    else {
      const sorted = [...rules.items].sort((a, b) => b.priority - a.priority);
      const rows = sorted.map((r) => [
        r.name,
        `v${r.version}`,
        r.enabled ? 'enabled' : 'disabled',
        String(r.priority),
        r.mode,
        r.policy,
        r.file,
      ]);
      const header = ['RULE', 'VERSION', 'STATE', 'PRIORITY', 'MODE', 'POLICY', 'FILE'];
      table(header, rows).forEach((line) => print(line));
      for (const f of refused) {
        const kept = f.keptLive ? `v${f.keptLive.version} stays live` : 'no version is live';
        print(ctx.term.color('red', `REFUSED  ${f.file} (${kept})`));
        for (const e of f.errors) print(`  ${e.path}: ${e.message}`);
      }
    }
    return refused.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};

export const RULES_COMMANDS: Command[] = [list, validate, test, dryRun];
