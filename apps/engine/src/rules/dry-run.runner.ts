import {
  Injectable,
  Logger,
  OnApplicationShutdown,
  PayloadTooLargeException,
} from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TransientError, ValidationError } from '@reflex/common';
import type { dryRun, DryRunRequest } from './dry-run';
import { DRY_RUN_WORKER, type DryRunMessage, type DryRunReply } from './dry-run.worker';

/** How long one dry run may compute before its worker is stopped (a viewer may send one). */
export const DRY_RUN_TIMEOUT_MS = 5_000;
/** Dry runs waiting or running at once; more answer 503 rather than queue without end. */
const MAX_PENDING = 4;
/** Heap of the worker: a dry run's inventory is at most DRY_RUN_MAX_BYTES of JSON. */
const WORKER_HEAP_MB = 256;

type DryRunResult = Awaited<ReturnType<typeof dryRun>>;

interface Pending {
  request: DryRunRequest;
  resolve(result: DryRunResult): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
}

/**
 * Runs dry runs (rule evaluation and planning over a posted inventory: seconds of CPU for a large
 * one) on a worker thread, so that the engine's event loop keeps answering health checks, intake
 * and the API meanwhile. One worker, started on first use; one that overruns its time is stopped.
 */
@Injectable()
export class DryRunRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('rules');
  private worker: Worker | null = null;
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  run(request: DryRunRequest): Promise<DryRunResult> {
    if (this.pending.size >= MAX_PENDING) {
      return Promise.reject(new TransientError('too many dry runs at once; try again shortly'));
    }
    const id = this.nextId++;
    return new Promise<DryRunResult>((resolve, reject) => {
      this.pending.set(id, { request, resolve, reject });
      if (!this.worker) this.start();
      else if (this.ready) this.send(id);
    });
  }

  onApplicationShutdown(): Promise<number> | undefined {
    return this.stop(new TransientError('the engine is shutting down'));
  }

  private start(): void {
    // From the sources (tests, `node -r @swc-node/register`): the worker's own file, compiled the
    // same way. From a webpack bundle: the bundle, whose main does not start the app in a worker.
    const fromSources = __filename.endsWith('.ts');
    const worker = new Worker(fromSources ? join(__dirname, 'dry-run.worker.ts') : __filename, {
      workerData: { role: DRY_RUN_WORKER },
      execArgv: fromSources ? ['-r', '@swc-node/register'] : undefined,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    this.worker = worker;
    this.ready = false;
    worker.on('message', (reply: DryRunReply) => this.receive(reply));
    worker.on('error', (error) => {
      this.logger.error(`dry-run worker failed: ${error.message}`);
      void this.stop(new TransientError('the dry run failed; try again', error), worker);
    });
    worker.on('exit', () => {
      if (this.worker === worker) void this.stop(new TransientError('the dry run was interrupted'));
    });
  }

  private receive(reply: DryRunReply): void {
    if ('ready' in reply) {
      this.ready = true;
      for (const id of this.pending.keys()) this.send(id);
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if ('result' in reply) pending.resolve(reply.result);
    else if (reply.error.name === 'ValidationError') {
      pending.reject(new ValidationError(reply.error.message, reply.error.details as []));
    } else pending.reject(new Error(reply.error.message));
  }

  private send(id: number): void {
    const pending = this.pending.get(id)!;
    // The clock starts once the worker has the request, so a worker's start-up never counts.
    pending.timer = setTimeout(() => this.timedOut(id), DRY_RUN_TIMEOUT_MS);
    this.worker!.postMessage({ id, request: pending.request } satisfies DryRunMessage);
  }

  private timedOut(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.reject(
      new PayloadTooLargeException({
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `the dry run did not finish within ${DRY_RUN_TIMEOUT_MS} ms; send a smaller inventory`,
        },
      }),
    );
    // The worker is stuck in that computation: only stopping it gets the CPU back.
    void this.stop(new TransientError('the dry run was interrupted by another one; try again'));
  }

  private async stop(reason: Error, which = this.worker): Promise<number> {
    if (!which || which !== this.worker) return 0;
    this.worker = null;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(reason);
      this.pending.delete(id);
    }
    return which.terminate();
  }
}
