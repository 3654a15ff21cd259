import { basename, join } from 'node:path';
import { type RuleError, listRuleFiles, readRuleFile } from '../../libs/rules/src';
import {
  BadInput,
  type CliOptions,
  EXIT_FAILED,
  EXIT_OK,
  exists,
  isDirectory,
  print,
  printJson,
  shortHash,
} from './cli-io';

interface FileVerdict {
  file: string;
  ok: boolean;
  name?: string;
  hash?: string;
  errors: RuleError[];
}

/**
 * `validate [dir-or-file ...]`: every `*.rule.json` through the same reader and validator the engine
 * loads rules with. Exit 1 when any file is refused, or when there is nothing to validate (in CI, an
 * empty directory is almost always a wrong path).
 */
export async function validateCommand(targets: string[], options: CliOptions): Promise<number> {
  const verdicts: FileVerdict[] = [];
  for (const target of targets.length > 0 ? targets : [options.rulesDir]) {
    let files = [target];
    if (await isDirectory(target))
      files = (await listRuleFiles(target)).map((f) => join(target, f));
    else if (!(await exists(target))) throw new BadInput(`no such file or directory: ${target}`);
    for (const path of files) {
      const read = await readRuleFile(path, basename(path));
      verdicts.push(
        read.ok
          ? { file: path, ok: true, name: read.rule.name, hash: read.hash, errors: [] }
          : { file: path, ok: false, errors: read.errors },
      );
    }
  }
  const failed = verdicts.filter((v) => !v.ok).length;
  if (options.json) {
    printJson({ ok: failed === 0 && verdicts.length > 0, files: verdicts });
  } else {
    for (const v of verdicts) {
      if (v.ok) print(`OK    ${v.file}  (${v.name}, sha256 ${shortHash(v.hash!)})`);
      else {
        print(`FAIL  ${v.file}`);
        for (const e of v.errors) print(`      ${e.path}: ${e.message}`);
      }
    }
    if (verdicts.length === 0)
      print(`no *.rule.json files in ${targets.join(', ') || options.rulesDir}`);
    else print(`${verdicts.length - failed} valid, ${failed} refused`);
  }
  return failed === 0 && verdicts.length > 0 ? EXIT_OK : EXIT_FAILED;
}
