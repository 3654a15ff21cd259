import type { InventoryV1 } from '@reflex/contracts';
import {
  type CapacityForecast,
  type FailureDomainKind,
  forecastCapacity,
  InventoryView,
} from '@reflex/domain';
import { type BenchContext, type Scenario } from '../support/context';
import { ENGINE_PLANNING, viewedPlannerCloud } from '../support/planner-cloud';
import { formatFigure, row, type Row } from '../support/report';
import { timeSyncMs } from '../support/stats';

const S = 'capacity';
/** Hosts per rack: 25 racks in each of the 20 zones of the full cloud. */
const RACK_SIZE = 20;
const TARGETS: Partial<Record<FailureDomainKind, number>> = { host: 5, rack: 2 };

/**
 * The planner's cloud with racks: each zone's hosts, in id order, RACK_SIZE to a rack. The planner
 * scenario's cloud has none, which makes every host a rack of its own (the rack forecast would be
 * the host forecast again).
 */
function withRacks(inventory: InventoryV1): InventoryV1 {
  const seen = new Map<string, number>();
  const hosts = inventory.hosts.map((host) => {
    const n = seen.get(host.zone) ?? 0;
    seen.set(host.zone, n + 1);
    const rack = `r${String(Math.floor(n / RACK_SIZE)).padStart(2, '0')}`;
    return { ...host, labels: { ...host.labels, rack } };
  });
  return { ...inventory, hosts };
}

/**
 * `GET /v1/capacity/forecast` computes this (in the engine, on its worker thread): the failover of
 * every host, rack and zone planned with the real planner over the bench's cloud. Each kind runs
 * twice on one view, as the engine's watch does; the second run is the figure (the first also
 * waits for the planner's code to be compiled).
 */
export const capacityScenario: Scenario = {
  name: 'capacity',
  title: 'Failover capacity forecast: every host, rack and zone of the cloud',
  run(ctx: BenchContext): Promise<Row[]> {
    const {
      described: size,
      view,
      first,
    } = viewedPlannerCloud(
      ctx,
      S,
      'built once per forecast by the worker, from the inventory read; not in the figures below',
      withRacks,
      `, racks of ${RACK_SIZE}`,
    );
    const rows: Row[] = [first];
    for (const kind of ['host', 'rack', 'zone'] as const) {
      const first = timed(view, kind);
      const second = timed(view, kind);
      const { summary } = second.forecast;
      ctx.log(`${kind}: ${formatFigure(first.s)} s, then ${formatFigure(second.s)} s`);
      const target = TARGETS[kind];
      rows.push(
        row(
          S,
          `${kind} forecast (${summary.domains} domains)`,
          second.s,
          's',
          target === undefined ? undefined : { target, comparator: '<=' },
          `${size}; ${summary.survivable} of ${summary.domains} survivable, ${placements(second.forecast)} placements; ` +
            `second run on one view (first ${formatFigure(first.s)} s); CPU ${formatFigure(second.cpuS)} s of the process ` +
            `(wall above CPU: other processes had the cores)`,
        ),
      );
    }
    return Promise.resolve(rows);
  },
};

function timed(view: InventoryView, kind: FailureDomainKind) {
  const cpu = process.cpuUsage();
  const t = timeSyncMs(() => forecastCapacity(view, { reservations: [] }, kind, ENGINE_PLANNING));
  return { s: t.ms / 1000, cpuS: process.cpuUsage(cpu).user / 1e6, forecast: t.value };
}

const placements = (f: CapacityForecast): number =>
  f.items.reduce((sum, i) => sum + i.placements.length + i.switchOvers.length, 0);
