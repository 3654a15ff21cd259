/**
 * Operators' rule tooling, for their CI as much as ours:
 *   npm run rules -- validate [dir-or-file ...]
 *   npm run rules -- test <rule-file-or-name> <alarm.json|fixture.json> [inventory.json]
 *   npm run rules -- fixtures [rules-dir] [fixtures-dir]
 * Options: --json (machine-readable output), --rules-dir <dir> (default $RULES_DIR or rules).
 * Exit codes: 0 success, 1 a rule or fixture failed (test: the rule did not fire), 2 bad input.
 */
import { BadInput, type CliOptions, EXIT_BAD_INPUT } from './cli-io';
import { fixturesCommand } from './fixtures.command';
import { testCommand } from './test.command';
import { validateCommand } from './validate.command';

const USAGE = `usage: rules <command> [--json] [--rules-dir <dir>]
  validate [dir-or-file ...]                          validate rule files (default: the rules directory)
  test <rule-file-or-name> <alarm.json> [inventory]   evaluate one rule against one alarm (or fixture)
  fixtures [rules-dir] [fixtures-dir]                 run every fixture against the whole rule set`;

const HELP = `${USAGE}

options:
  --json              machine-readable output
  --rules-dir <dir>   the rules directory (default $RULES_DIR, else rules)
  --help, -h          this text

exit status: 0 success, 1 a rule or fixture failed (test: the rule did not fire), 2 bad input`;

export async function main(argv: string[]): Promise<number> {
  const options: CliOptions = { json: false, rulesDir: process.env.RULES_DIR || 'rules' };
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') options.json = true;
    else if (argv[i] === '--rules-dir' && argv[i + 1]) options.rulesDir = argv[++i];
    else args.push(argv[i]);
  }
  const [command, ...rest] = args;
  // Asked for, help is an answer (exit 0, stdout); a missing or unknown command is a usage error.
  if (
    ['--help', '-h', 'help'].includes(command) ||
    rest.includes('--help') ||
    rest.includes('-h')
  ) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'validate':
        return await validateCommand(rest, options);
      case 'test':
        return await testCommand(rest, options);
      case 'fixtures':
        return await fixturesCommand(rest, options);
      default:
        throw new BadInput(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    }
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    process.stderr.write(`${error.message}\n`);
    return EXIT_BAD_INPUT;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exitCode = EXIT_BAD_INPUT;
    },
  );
}
