import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { dryRun, type DryRunRequest } from './dry-run';

/** Marks a worker thread started for dry runs (a bundled app starts its own bundle as the worker). */
export const DRY_RUN_WORKER = 'reflex-dry-run';

export interface DryRunMessage {
  id: number;
  request: DryRunRequest;
}

export type DryRunReply =
  | { ready: true }
  | { id: number; result: Awaited<ReturnType<typeof dryRun>> }
  | { id: number; error: { name: string; message: string; details?: unknown } };

function serve(): void {
  const port = parentPort!;
  try {
    // Linux sets a nice value per thread: this one then yields the CPU to the event loop, which
    // answers health checks and intake, whenever both want it.
    setPriority(19);
  } catch {
    // Not allowed here (some containers): the thread still keeps the event loop free.
  }
  port.on('message', ({ id, request }: DryRunMessage) => {
    dryRun(request).then(
      (result) => port.postMessage({ id, result } satisfies DryRunReply),
      (error: unknown) => {
        const e = error instanceof Error ? error : new Error(String(error));
        const details = (e as { details?: unknown }).details;
        port.postMessage({ id, error: { name: e.name, message: e.message, details } });
      },
    );
  });
  port.postMessage({ ready: true } satisfies DryRunReply);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === DRY_RUN_WORKER) serve();
