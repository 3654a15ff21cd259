import { join } from 'node:path';
import { RuleSet, fixtureGaps, runFixtures } from '../../libs/rules/src';
import {
  BadInput,
  type CliOptions,
  EXIT_FAILED,
  EXIT_OK,
  isDirectory,
  print,
  printJson,
} from './cli-io';

/**
 * `fixtures [rules-dir] [fixtures-dir]`: loads the rules as the engine does and runs every fixture
 * (`<fixtures-dir>/<rule>/<case>.json`, default `<rules-dir>/fixtures`) against the whole set.
 */
export async function fixturesCommand(args: string[], options: CliOptions): Promise<number> {
  const rulesDir = args[0] ?? options.rulesDir;
  const fixturesDir = args[1] ?? join(rulesDir, 'fixtures');
  if (!(await isDirectory(rulesDir))) throw new BadInput(`no such directory: ${rulesDir}`);
  if (!(await isDirectory(fixturesDir))) throw new BadInput(`no such directory: ${fixturesDir}`);

  const set = new RuleSet({ dir: rulesDir });
  const report = await set.reload();
  const refused = report.results.filter((r) => r.status === 'refused');
  const results = await runFixtures(fixturesDir, set.rules());
  const gaps = fixtureGaps(set.rules(), results);
  const failed = results.filter((r) => !r.ok);
  const ok = refused.length === 0 && failed.length === 0 && gaps.length === 0 && results.length > 0;

  if (options.json) {
    printJson({ ok, refused, gaps, fixtures: results.map(({ evaluation: _e, ...r }) => r) });
  } else {
    for (const r of refused)
      print(`REFUSED  ${r.file}: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    for (const r of results) {
      print(`${r.ok ? 'PASS' : 'FAIL'}  ${r.fixture}`);
      for (const p of r.problems) print(`      ${p}`);
    }
    for (const g of gaps) print(`GAP   ${g}`);
    print(`${results.length - failed.length} passed, ${failed.length} failed, ${gaps.length} gaps`);
  }
  return ok ? EXIT_OK : EXIT_FAILED;
}
