import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { javaCommand } from './tools';
import { spawnWatchdog } from './watchdog';

export interface BrokerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BrokerProcessSpec {
  /** JVM arguments, main class and server.properties. */
  args: string[];
  logFile: string;
  dataDir: string;
  /** How long a SIGTERM may take before SIGKILL. */
  stopTimeoutMs: number;
}

/**
 * One run of the broker's JVM, with its watchdog. A broker restarted in place (same ports, same data
 * dir) is a new BrokerProcess on the same spec; the data dir belongs to the caller, not to a run.
 */
export class BrokerProcess {
  readonly exited: Promise<BrokerExit>;
  private readonly child: ChildProcess;
  private readonly watchdogPid: number | undefined;
  private early: Error | undefined;

  constructor(private readonly spec: BrokerProcessSpec) {
    // The JVM's own stdout/stderr (a crash, a bad flag) go to the same file as log4j's output.
    const log = openSync(spec.logFile, 'a');
    try {
      this.child = spawn(javaCommand(), spec.args, {
        detached: true,
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise<BrokerExit>((resolve) => {
      this.child.once('error', (error) => {
        this.early = error;
        resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => {
        this.early ??= new Error(`the Kafka broker exited (code ${code}, signal ${signal})`);
        resolve({ code, signal });
      });
    });
    const pid = this.child.pid ?? -1;
    this.watchdogPid = pid > 0 ? spawnWatchdog(pid, spec.dataDir, spec.stopTimeoutMs) : undefined;
    void this.exited.then(() => this.endWatchdog());
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.early;
  }

  /** Why the process is gone, once it is; for readiness waits that must give up early. */
  exitError(): Error | undefined {
    return this.early;
  }

  /**
   * Ends this run: `SIGTERM` (a clean shutdown, SIGKILL after stopTimeoutMs) or `SIGKILL` (a crash).
   * The watchdog goes first so it never mistakes the stop for its parent dying.
   */
  async terminate(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    this.endWatchdog();
    if (!this.running) {
      await this.exited;
      return;
    }
    this.child.kill(signal);
    if (signal === 'SIGTERM') {
      const timer = new Promise<'timeout'>((resolve) => {
        setTimeout(resolve, this.spec.stopTimeoutMs, 'timeout').unref();
      });
      if ((await Promise.race([this.exited, timer])) === 'timeout') this.child.kill('SIGKILL');
    }
    await this.exited;
  }

  /** For process exit handlers, which can only do synchronous work. */
  killNow(): void {
    this.child.kill('SIGKILL');
  }

  private endWatchdog(): void {
    if (!this.watchdogPid) return;
    try {
      process.kill(this.watchdogPid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
