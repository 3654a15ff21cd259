// An engine or driver as a child process (`node -r @swc-node/register apps/<app>/src/main.ts`), the
// way it runs in production, so the chaos suite can SIGKILL it, SIGTERM it, restart it on the same
// port and watch its memory.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../support/wait-for';

export const ROOT = join(__dirname, '..', '..', '..');
export const CHAOS_DIR = join(ROOT, '.cache', 'chaos');

export type ServiceKind = 'engine' | 'driver';

export interface ExitRecord {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Sent by the suite (a kill or a stop); anything else is a crash. */
  expected: boolean;
}

export class ServiceProcess {
  readonly exits: ExitRecord[] = [];
  starts = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private expectExit = false;
  private tail = '';
  private readonly log: WriteStream;

  constructor(
    readonly name: string,
    readonly kind: ServiceKind,
    private readonly env: Record<string, string>,
  ) {
    mkdirSync(join(CHAOS_DIR, 'logs'), { recursive: true });
    this.log = createWriteStream(join(CHAOS_DIR, 'logs', `${name}.log`), { flags: 'w' });
  }

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get pid(): number | undefined {
    return this.alive ? this.child?.pid : undefined;
  }

  get alive(): boolean {
    const child = this.child;
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** Exits the suite did not cause: the process crashed (or exited) by itself. */
  get crashes(): ExitRecord[] {
    return this.exits.filter((e) => !e.expected);
  }

  /** The last lines it wrote, for failure messages. */
  output(chars = 4000): string {
    return this.tail.slice(-chars);
  }

  /** Spawns the process and waits until `/readyz` answers 200 (database and Kafka reachable). */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', `apps/${this.kind}/src/main.ts`],
      { cwd: ROOT, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.starts += 1;
    this.expectExit = false;
    this.log.write(
      `\n===== start #${this.starts} pid ${child.pid} at ${new Date().toISOString()}\n`,
    );
    const keep = (chunk: Buffer) => {
      this.log.write(chunk);
      this.tail = (this.tail + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exits.push({ code, signal, expected: this.expectExit });
        this.log.write(`===== exit code ${code} signal ${signal} at ${new Date().toISOString()}\n`);
        resolve();
      }),
    );
    await waitFor(
      `${this.name} to be ready`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${this.name} exited while starting:\n${this.output()}`);
        }
        const res = await fetch(`${this.url}/readyz`).catch(() => null);
        return res?.status === 200;
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      // waitFor keeps only the last probe error; an early exit is the one worth reporting.
      if (!this.alive) throw new Error(`${this.name} exited while starting:\n${this.output()}`);
      throw error;
    });
  }

  /** SIGKILL (nothing flushed, nothing released) or SIGTERM (graceful); resolves once it exited. */
  async kill(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<ExitRecord | undefined> {
    if (!this.alive) return undefined;
    this.expectExit = true;
    this.child!.kill(signal);
    await this.exited;
    return this.exits[this.exits.length - 1];
  }

  /** Open file descriptors (sockets included), or undefined when not running. */
  openFds(): number | undefined {
    const pid = this.pid;
    if (!pid) return undefined;
    try {
      return readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      return undefined;
    }
  }

  /** Resident memory in kB (Linux), or undefined when not running. */
  rssKb(): number | undefined {
    const pid = this.pid;
    if (!pid) return undefined;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.kill('SIGKILL');
    await new Promise((resolve) => this.log.end(resolve));
  }
}
