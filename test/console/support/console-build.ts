import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const OUTPUT = join(ROOT, 'dist/console/index.html');
/** What the build reads: the console's sources and config, and the rule schema it compiles in. */
const INPUTS = [join(ROOT, 'apps/console'), join(ROOT, 'rules/rule.schema.json')];
const LOCK = join(ROOT, '.cache/console-build.lock');

function newestInput(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestInput(join(path, name))));
}

function upToDate(): boolean {
  return existsSync(OUTPUT) && statSync(OUTPUT).mtimeMs >= Math.max(...INPUTS.map(newestInput));
}

/**
 * `npm test` runs on a fresh clone without `npm run build`, so the browser specs build the console
 * themselves when dist/console is missing or older than its sources (a second or two). A lock
 * directory keeps two spec files from building into the same folder at once.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (upToDate()) return;
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${LOCK} held for 2 minutes; remove it if stale`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (upToDate()) return;
    const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
    const build = spawnSync(
      process.execPath,
      [vite, 'build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
    );
    if (build.status !== 0) {
      throw new Error(`building the console failed:\n${build.stdout}\n${build.stderr}`);
    }
  } finally {
    rmdirSync(LOCK);
  }
}
