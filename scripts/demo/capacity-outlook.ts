import type { CapacityForecast } from '@reflex/domain';
import type { ReflexClient } from './reflex-client';
import type { Terminal } from './terminal';

/**
 * The story's epilogue: after a host lost and a drain half done, could each rack still fail? The
 * command is printed for the reader to run again; the answer is the engine's forecast (CONTRACT
 * §10), which plans every rack's failover without changing anything.
 */
export async function capacityOutlook(client: ReflexClient, term: Terminal): Promise<void> {
  const path = '/v1/capacity/forecast?domain=rack';
  term.line();
  term.line(term.color('bold', '── 3. Could each rack fail now? ──'));
  term.line(term.color('dim', `       curl -s '${client.engineUrl}${path}'`));
  const forecast = await client.request<CapacityForecast>('GET', path);
  const { domains, survivable } = forecast.summary;
  term.line(`forecast: ${survivable} of ${domains} racks could fail now with everything re-placed`);
  for (const item of forecast.items.filter((i) => !i.survivable)) {
    const first = item.unplaced[0];
    term.line(
      `  ${item.id}: ${item.unplaced.length} of ${item.instances} instances would have nowhere to go` +
        (first ? ` (${first.reason})` : ''),
    );
  }
}
