import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface RunningReflex {
  engineUrl: string;
  driverUrl: string;
  database: string;
  transport: string;
  seeded: boolean;
  /** The embedded database's URL (with this start's password); null on a PostgreSQL server. */
  embeddedDatabaseUrl: string | null;
  close(): Promise<void>;
}

const ROOT = join(__dirname, '../../..');
const STOP_TIMEOUT_MS = 20_000;

/** The environment of a quiet all-in-one on ports the system picks, with only PATH from ours. */
export const quietEnv = (
  extra: Record<string, string> = {},
): Record<string, string | undefined> => ({
  PATH: process.env.PATH,
  PORT: '0',
  DRIVER_PORT: '0',
  LOG_LEVEL: 'error',
  RULES_WATCH: 'false',
  SHUTDOWN_TIMEOUT_MS: '10000',
  ...extra,
});

/**
 * Runs test/e2e/support/all-in-one.child.ts (startAllInOne from the sources, no build) in a child
 * process with `env` as its environment and `argv` as its arguments, and resolves once both
 * services listen; rejects with the child's own error otherwise.
 */
export function spawnAllInOne(
  env: Record<string, string | undefined>,
  argv: string[] = [],
  timeoutMs = 90_000,
): Promise<RunningReflex> {
  const child = fork(join(__dirname, 'all-in-one.child.ts'), argv, {
    cwd: ROOT,
    env,
    execArgv: ['-r', '@swc-node/register'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  return new Promise<RunningReflex>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the all-in-one did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the all-in-one exited (${code}) before it was ready:\n${output}`));
    });
    child.on('message', (message: { ready?: Omit<RunningReflex, 'close'>; error?: string }) => {
      clearTimeout(timer);
      if (message.error) {
        reject(new Error(message.error));
        return;
      }
      resolve({
        ...message.ready!,
        close: async () => {
          if (child.connected) child.send('close');
          // The child gives up after SHUTDOWN_TIMEOUT_MS itself; this is for a child that hangs.
          const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          const code = await exited;
          clearTimeout(kill);
          if (code !== 0) throw new Error(`the all-in-one stopped with code ${code}:\n${output}`);
        },
      });
    });
  });
}
