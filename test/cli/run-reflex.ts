import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const LAUNCHER = join(__dirname, '..', '..', 'bin', 'reflex.js');

export interface ReflexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `reflex` child process: what it printed so far, and its end. */
export interface ReflexProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<ReflexRun>;
}

/**
 * `reflex <args>` as an operator runs it: the real launcher in a child process (from another
 * directory, as `npx reflex` may be), its output through pipes, so no colours.
 */
export function startReflex(
  args: string[],
  env: { REFLEX_URL: string; REFLEX_TOKEN?: string },
): ReflexProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env.REFLEX_TOKEN === undefined) delete childEnv.REFLEX_TOKEN;
  const child = spawn(process.execPath, [LAUNCHER, ...args], {
    cwd: __dirname,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ReflexRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

export function reflex(
  args: string[],
  env: { REFLEX_URL: string; REFLEX_TOKEN?: string },
): Promise<ReflexRun> {
  return startReflex(args, env).done;
}
