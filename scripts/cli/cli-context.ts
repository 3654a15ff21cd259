import type { ParseArgsConfig } from 'node:util';
import { FINAL_PLAN_STATES, PLAN_STATES } from '@reflex/contracts/plan.v1';
import type { ReflexClient } from '../demo/reflex-client';
import type { Terminal } from '../demo/terminal';

export type OptionValues = Record<string, string | boolean | undefined>;

/** What every command is handed: the API, the screen, and whether to print raw JSON instead. */
export interface CliContext {
  client: ReflexClient;
  term: Terminal;
  json: boolean;
}

/**
 * One `reflex` command. `args` is its positional syntax as the help shows it (`<id>` required,
 * `[file]` optional): the number of positionals is checked against it before `run`.
 */
export interface Command {
  name: string;
  args: string;
  summary: string;
  /** Lines of help after the summary: each option, what the output means, the exit status. */
  help: string[];
  options?: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CliContext, positionals: string[], options: OptionValues): Promise<number>;
}

/** The plan states that can still change. */
export const LIVE_PLAN_STATES = PLAN_STATES.filter((s) => !FINAL_PLAN_STATES.includes(s));

/** `?a=1&b=2` of the options given, nothing for those left out. */
export function queryOf(values: Record<string, string | boolean | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value !== '') query.set(name, value);
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}
