import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TransientError } from '@reflex/common';
import type { CapacityForecast } from '@reflex/domain';
import {
  CAPACITY_WORKER,
  type ForecastReply,
  type ForecastRequest,
} from './capacity-forecast.worker';

/**
 * Runs capacity forecasts on a worker thread: on 10,000 hosts a zone forecast plans seconds to a
 * minute of failovers, which on the event loop would stall health checks, intake and the API. One
 * worker, started on first use and kept; requests queue on it in order. A worker that dies fails
 * what it held (retriable) and the next request starts a new one.
 */
@Injectable()
export class CapacityForecastRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('capacity');
  private worker: Worker | null = null;
  private readonly pending = new Map<
    number,
    { resolve(f: CapacityForecast[]): void; reject(e: Error): void }
  >();
  private nextId = 1;

  run(request: ForecastRequest): Promise<CapacityForecast[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.worker ?? this.start()).postMessage({ id, request });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop(new TransientError('the engine is shutting down'));
  }

  private start(): Worker {
    // From the sources (tests, `node -r @swc-node/register`): the worker's own file. From a webpack
    // bundle: the bundle, whose main does not start the app in a worker thread.
    const fromSources = __filename.endsWith('.ts');
    const worker = new Worker(
      fromSources ? join(__dirname, 'capacity-forecast.worker.ts') : __filename,
      {
        workerData: { role: CAPACITY_WORKER },
        execArgv: fromSources ? ['-r', '@swc-node/register'] : undefined,
      },
    );
    worker.unref();
    this.worker = worker;
    worker.on('message', (reply: ForecastReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('forecasts' in reply) pending?.resolve(reply.forecasts);
      else pending?.reject(new Error(`capacity forecast failed: ${reply.error}`));
    });
    worker.on('error', (error) => {
      this.logger.error(`capacity forecast worker failed: ${error.message}`);
      void this.stop(new TransientError('the capacity forecast failed; try again', error), worker);
    });
    worker.on('exit', () => {
      if (this.worker === worker)
        void this.stop(new TransientError('the forecast was interrupted'));
    });
    return worker;
  }

  private async stop(reason: Error, which = this.worker): Promise<void> {
    if (!which || which !== this.worker) return;
    this.worker = null;
    for (const pending of this.pending.values()) pending.reject(reason);
    this.pending.clear();
    await which.terminate();
  }
}
