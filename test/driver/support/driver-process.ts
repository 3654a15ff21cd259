// The driver as a child process (`node -r @swc-node/register apps/driver/src/main.ts`), for tests
// that kill it the hard way.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../../support/wait-for';

const ROOT = join(__dirname, '..', '..', '..');

export class DriverProcess {
  private output = '';
  private exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts the driver and waits until `/readyz` says the database and Kafka are reachable. */
  static async start(env: Record<string, string>): Promise<DriverProcess> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/driver/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const driver = new DriverProcess(child, `http://127.0.0.1:${env.PORT}`);
    let ready = false;
    const exitedEarly = driver.exited.then((code) => {
      if (!ready) throw new Error(`the driver process exited with ${code}`);
    });
    exitedEarly.catch(() => undefined);
    try {
      await Promise.race([
        waitFor(
          'the driver process to be ready',
          async () => (await fetch(`${driver.url}/readyz`)).status === 200,
          { timeoutMs: 30_000, intervalMs: 100 },
        ),
        exitedEarly,
      ]);
      ready = true;
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n--- driver output ---\n${driver.output}`);
    }
    return driver;
  }

  get log(): string {
    return this.output;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or released. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
