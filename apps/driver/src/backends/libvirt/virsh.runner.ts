import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { BackendError } from '../backend.errors';

export interface VirshOutput {
  stdout: string;
  stderr: string;
}

export interface VirshExit extends VirshOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running virsh (a migration) that the backend keeps by handle. */
export interface VirshProcess {
  child: ChildProcess;
  done: Promise<VirshExit>;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Maps virsh's stderr to an error code. virsh has no machine-readable errors, so the wording of
 * libvirt's messages is the contract here; anything unrecognised is reported as is and not
 * retried, because repeating an unknown hypervisor failure is rarely what fixes it.
 */
export function classifyVirshError(stderr: string, what: string): BackendError {
  const message = `${what}: ${stderr.trim() || 'virsh failed'}`;
  const error = (code: BackendError['code'], retriable: boolean) =>
    new BackendError(code, message, { retriable, details: { stderr } });
  if (/failed to get domain|domain not found|no domain with matching/i.test(stderr)) {
    return error('not-found', false);
  }
  if (/operation aborted|cancel+ed by client/i.test(stderr)) return error('aborted', false);
  if (
    /failed to connect|unable to connect|cannot recv data|connection (reset|refused)|no route to host|end of file while reading|broken pipe|timed out/i.test(
      stderr,
    )
  ) {
    return error('backend-unavailable', true);
  }
  if (/cannot allocate memory|out of memory|insufficient/i.test(stderr)) {
    return error('destination-full', false);
  }
  // Real wording (libvirt 9): "Requested operation is not valid: domain is not running",
  // "Domain is already active" (start), "internal error: domain 'x' not running" (shutdown) and
  // "... not paused" (resume).
  if (
    /requested operation is not valid|not running|already (running|active)|not paused|transient/i.test(
      stderr,
    )
  ) {
    return error('invalid-state', false);
  }
  return error('operation-failed', false);
}

/**
 * A migration's failure to reach the destination host: libvirt names the host it could not
 * connect to ("unable to connect to server at 'cmp-02:16509'", "ssh: connect to host cmp-02 port
 * 22: No route to host"), so a connection error naming the destination URI's host is the
 * destination's fault, reported as `destination-unavailable` for the engine to place the move
 * elsewhere (CONTRACT §9). Any other error is returned as it was.
 */
export function classifyMigrationError(error: unknown, dstUri: string): unknown {
  if (!(error instanceof BackendError) || error.code !== 'backend-unavailable') return error;
  let host = '';
  try {
    host = new URL(dstUri).hostname;
  } catch {
    return error;
  }
  const stderr = (error.details as { stderr?: string } | undefined)?.stderr ?? '';
  if (!host || !stderr.includes(host)) return error;
  return new BackendError('destination-unavailable', error.message, {
    retriable: false,
    cause: error,
    details: error.details,
  });
}

/**
 * Runs virsh with `execFile`, never through a shell: domain names and URIs come from commands
 * and inventory, and must stay single arguments.
 */
export class Virsh {
  constructor(
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  run(uri: string, args: string[]): Promise<VirshOutput> {
    const argv = ['-c', uri, ...args];
    return new Promise((resolve, reject) => {
      execFile(
        this.path,
        argv,
        { timeout: this.timeoutMs, maxBuffer: OUTPUT_LIMIT, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr });
          const e = error as NodeJS.ErrnoException & { killed?: boolean };
          if (e.code === 'ENOENT' || e.code === 'EACCES') {
            return reject(
              new BackendError('backend-error', `cannot run ${this.path}: ${e.message}`, {
                retriable: false,
                cause: error,
              }),
            );
          }
          if (e.killed) {
            return reject(
              new BackendError('backend-unavailable', `virsh ${args[0]} timed out on ${uri}`, {
                retriable: true,
                cause: error,
              }),
            );
          }
          reject(classifyVirshError(stderr, `virsh ${args[0]} on ${uri}`));
        },
      );
    });
  }

  /** Starts virsh in the background, with no timeout: the executor's deadline bounds it. */
  spawn(uri: string, args: string[]): VirshProcess {
    const child = spawn(this.path, ['-c', uri, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    const err: string[] = [];
    const keep = (into: string[]) => (chunk: Buffer) => {
      if (into.join('').length < OUTPUT_LIMIT) into.push(chunk.toString('utf8'));
    };
    child.stdout?.on('data', keep(out));
    child.stderr?.on('data', keep(err));
    const done = new Promise<VirshExit>((resolve) => {
      child.on('error', (e) =>
        resolve({ code: null, signal: null, stdout: out.join(''), stderr: e.message }),
      );
      child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: out.join(''), stderr: err.join('') }),
      );
    });
    return { child, done };
  }
}
