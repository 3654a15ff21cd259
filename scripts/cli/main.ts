/**
 * `reflex`: the operator's command line over the engine's REST API (CONTRACT §8). Every command
 * is one or a few API calls; `--json` prints the API's answers as they came, for scripts.
 */
import { parseArgs } from 'node:util';
import { ApiCallError, ReflexClient, UnreachableError } from '../demo/reflex-client';
import { Terminal } from '../demo/terminal';
import { BadInput, EXIT_BAD_INPUT } from '../rules/cli-io';
import { ALARMS_COMMAND } from './alarms.command';
import type { Command, OptionValues } from './cli-context';
import { GROUPS_COMMAND, HOSTS_COMMAND } from './inventory.command';
import { PLAN_COMMANDS } from './plans.command';
import { RULES_COMMANDS } from './rules.command';
import { STATUS_COMMAND } from './status.command';

/** Exit statuses besides 0 (done), 1 (a negative answer: invalid rule, failed plan) and 2 (usage). */
export const EXIT_UNREACHABLE = 3;
export const EXIT_REFUSED = 4;
export const EXIT_NOT_FOUND = 5;
export const EXIT_CONFLICT = 6;
export const EXIT_API_ERROR = 7;

const COMMANDS: Command[] = [
  STATUS_COMMAND,
  HOSTS_COMMAND,
  GROUPS_COMMAND,
  ...PLAN_COMMANDS,
  ALARMS_COMMAND,
  ...RULES_COMMANDS,
];
const DEFAULT_URL = 'http://localhost:3000';

const usageOf = (c: Command) => `reflex ${c.name}${c.args ? ` ${c.args}` : ''}`;

const OVERVIEW = [
  'usage: reflex <command> [options] [--json] [--help]',
  '',
  'commands:',
  ...COMMANDS.map((c) => `  ${usageOf(c).slice('reflex '.length).padEnd(50)} ${c.summary}`),
  '',
  'options of every command:',
  '  --json        print the API answers as JSON instead of text',
  '  --help, -h    what the command does and takes',
  '',
  'environment:',
  `  REFLEX_URL    the engine (default ${DEFAULT_URL})`,
  "  REFLEX_TOKEN  a bearer token of the engine's AUTH_TOKENS (viewer reads; operator approves,",
  '                cancels, aborts); unset for an engine without authentication',
  '',
  'exit status:',
  '  0 done   1 a negative answer (invalid rule, rule not fired, plan not succeeded)',
  '  2 bad usage or input (unknown option, unreadable file, 400 from the engine)',
  `  ${EXIT_UNREACHABLE} the engine cannot be reached   ${EXIT_REFUSED} token refused or role too small (401, 403)`,
  `  ${EXIT_NOT_FOUND} not found (404)   ${EXIT_CONFLICT} the state forbids it or an id prefix is ambiguous (409)`,
  `  ${EXIT_API_ERROR} any other error answer of the engine`,
].join('\n');

function helpOf(c: Command): string {
  return [
    `usage: ${usageOf(c)}${c.options ? ' [options]' : ''} [--json]`,
    '',
    c.summary,
    '',
    ...c.help,
    '',
    'Run `reflex --help` for the environment and exit statuses.',
  ].join('\n');
}

/** The command named by the first one or two words, and the arguments after its name. */
function find(argv: string[]): { command?: Command; rest: string[] } {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command && argv.length >= words) return { command, rest: argv.slice(words) };
  }
  return { rest: argv };
}

/** Prints what a failed call means for the operator; the exit status tells scripts the same. */
function explain(error: unknown, tokenSet: boolean): number {
  const say = (text: string) => process.stderr.write(`reflex: ${text}\n`);
  if (error instanceof BadInput) {
    say(error.message);
    return EXIT_BAD_INPUT;
  }
  if (error instanceof UnreachableError) {
    say(`${error.message}; set REFLEX_URL to the engine's address`);
    return EXIT_UNREACHABLE;
  }
  if (!(error instanceof ApiCallError)) throw error;
  const { status, apiMessage } = error;
  if (status === 401) {
    say(
      tokenSet
        ? `the engine refused REFLEX_TOKEN (401 ${apiMessage}); is it one of its AUTH_TOKENS?`
        : `the engine needs a token (401 ${apiMessage}); set REFLEX_TOKEN`,
    );
    return EXIT_REFUSED;
  }
  if (status === 403) {
    say(`REFLEX_TOKEN's role may not do this (403 ${apiMessage})`);
    return EXIT_REFUSED;
  }
  const details = Array.isArray(error.details)
    ? (error.details as Array<{ path?: string; message?: string }>)
        .map((d) => `\n  ${d.path || '(body)'}: ${d.message}`)
        .join('')
    : '';
  say(`${apiMessage} (${status})${details}`);
  if (status === 404) return EXIT_NOT_FOUND;
  if (status === 409) return EXIT_CONFLICT;
  if (status === 400 || status === 413) return EXIT_BAD_INPUT;
  return EXIT_API_ERROR;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? process.stderr : process.stdout).write(`${OVERVIEW}\n`);
    return argv.length === 0 ? EXIT_BAD_INPUT : 0;
  }
  const { command, rest } = find(argv);
  const token = process.env.REFLEX_TOKEN || undefined;
  try {
    if (!command) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
      if (group.length > 0 && ['--help', '-h', undefined].includes(argv[1])) {
        const lines = group.map((c) => `  ${usageOf(c).padEnd(58)} ${c.summary}`);
        process.stdout.write(`${lines.join('\n')}\n`);
        return argv[1] ? 0 : EXIT_BAD_INPUT;
      }
      throw new BadInput(`unknown command "${argv.join(' ')}"; \`reflex --help\` lists them`);
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: {
          json: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
          ...command.options,
        },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new BadInput(`${(error as Error).message}\n${helpOf(command)}`);
    }
    if (parsed.values.help) {
      process.stdout.write(`${helpOf(command)}\n`);
      return 0;
    }
    const required = (command.args.match(/</g) ?? []).length;
    const allowed = required + (command.args.match(/\[/g) ?? []).length;
    const n = parsed.positionals.length;
    if (n < required || n > allowed) {
      throw new BadInput(`usage: ${usageOf(command)} (got ${n} argument${n === 1 ? '' : 's'})`);
    }
    const url = (process.env.REFLEX_URL || DEFAULT_URL).replace(/\/+$/, '');
    const ctx = {
      client: new ReflexClient(url, null, token),
      term: new Terminal(),
      json: parsed.values.json === true,
    };
    // No option is declared `multiple`, so no value is an array.
    return await command.run(ctx, parsed.positionals, parsed.values as OptionValues);
  } catch (error) {
    return explain(error, token !== undefined);
  }
}

/** Runs `reflex` with these arguments and sets the process's exit status (bin/reflex.js). */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    // Only what no command expects ends here: a bug, shown whole.
    (error: Error) => {
      process.stderr.write(`reflex: unexpected error\n${error.stack ?? error.message}\n`);
      process.exitCode = 70;
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
