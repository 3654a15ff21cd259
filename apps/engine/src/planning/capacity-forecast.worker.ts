import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { InventoryV1 } from '@reflex/contracts';
import {
  forecastCapacity,
  type CapacityForecast,
  type FailureDomainKind,
  type InFlight,
  InventoryView,
  type PlanningConfig,
} from '@reflex/domain';

/** Marks the worker thread started for capacity forecasts (a bundled app starts its own bundle). */
export const CAPACITY_WORKER = 'reflex-capacity-forecast';

export interface ForecastRequest {
  inventory: InventoryV1;
  inFlight: InFlight;
  kinds: readonly FailureDomainKind[];
  config: PlanningConfig;
}

export type ForecastReply =
  { id: number; forecasts: CapacityForecast[] } | { id: number; error: string };

function serve(): void {
  const port = parentPort!;
  try {
    // A nice thread: the event loop (health checks, intake, the API) gets the CPU first.
    setPriority(19);
  } catch {
    // Not allowed here (some containers): the thread still keeps the event loop free.
  }
  port.on('message', ({ id, request }: { id: number; request: ForecastRequest }) => {
    try {
      // One view for every kind asked: its indexes are built once (CONTRACT §10 forecasts).
      const view = new InventoryView(request.inventory);
      const forecasts = request.kinds.map((kind) =>
        forecastCapacity(view, request.inFlight, kind, request.config),
      );
      port.postMessage({ id, forecasts } satisfies ForecastReply);
    } catch (error) {
      port.postMessage({
        id,
        error: (error as Error).message ?? String(error),
      } satisfies ForecastReply);
    }
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === CAPACITY_WORKER) serve();
