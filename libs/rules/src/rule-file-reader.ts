import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ruleError } from './rule-error';
import { MAX_RULE_FILE_BYTES, RULE_FILE_SUFFIX, validateRuleText } from './rule-validator';
import type { RuleDefinition, RuleError } from './rule.types';

export type RuleFileRead =
  | { file: string; ok: true; rule: RuleDefinition; hash: string; text: string }
  | { file: string; ok: false; errors: RuleError[] };

/**
 * The rule files of a directory, sorted: `*.rule.json`, not hidden (editor swap and backup files),
 * regular files or symbolic links (a Kubernetes ConfigMap mounts each key as a link).
 */
export async function listRuleFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith(RULE_FILE_SUFFIX))
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Reads and validates one rule file; the size is checked before anything is read. */
export async function readRuleFile(
  path: string,
  file: string,
  maxBytes = MAX_RULE_FILE_BYTES,
): Promise<RuleFileRead> {
  let buffer: Buffer;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) return refused(file, [ruleError([], 'is not a regular file')]);
    if (stat.size > maxBytes) {
      return refused(file, [
        ruleError([], `the file is ${stat.size} bytes; a rule file may have at most ${maxBytes}`),
      ]);
    }
    buffer = await fs.readFile(path);
  } catch (error) {
    return refused(file, [ruleError([], `cannot read the file: ${(error as Error).message}`)]);
  }
  const result = validateRuleText(buffer, { fileName: file, maxBytes });
  if (!result.ok) return refused(file, result.errors);
  return { file, ok: true, rule: result.rule, hash: result.hash, text: buffer.toString('utf8') };
}

export function ruleFilePath(dir: string, file: string): string {
  return join(dir, file);
}

/** The rule a file is meant to hold, so a refused file can still be matched to its live version. */
export function nameFromFile(file: string): string {
  return file.slice(0, -RULE_FILE_SUFFIX.length);
}

function refused(file: string, errors: RuleError[]): RuleFileRead {
  return { file, ok: false, errors };
}
