// Issue 15's storm: a whole rack loses power mid-storm, and some destinations of the evacuations
// running then die before monitoring reports them (the host is failed in the simulated cloud at once;
// its host.down alarm follows seconds later), so the engine learns of them from the driver first.
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { alarm as testAlarm } from '../../support/topology';
import { sleep } from './monkey';
import type { Rng } from './cloud';
import type { StormContext } from './storm-scenario';
import { type Channel, hostFailureItems, type Storm } from './storm';

/** Hosts h-az1-01 to -04 (cloud.ts gives each four hosts of a zone one rack). */
export const RACK = 'r101';

export function rackHosts(cloud: InventoryV1): string[] {
  return cloud.hosts.filter((h) => h.labels?.rack === RACK).map((h) => h.id);
}

/** Adds the rack's power loss at `at` ms: every host of it within 1.5 s, as monitoring reports it. */
export function rackPowerLoss(at: number, httpShare: number) {
  return (storm: Storm, cloud: InventoryV1, rng: Rng): void => {
    const channel = (): Channel => (rng.chance(httpShare) ? 'http' : 'kafka');
    for (const h of rackHosts(cloud)) {
      storm.items.push(
        ...hostFailureItems(cloud, h, at + rng.int(0, 1500), rng, channel, storm.base),
      );
      storm.failedHosts.push(h);
    }
    storm.items.sort((a, b) => a.at - b.at);
  };
}

export interface DestinationKills {
  /** Hosts failed while evacuations were running towards them. */
  hit: string[];
  /** Running evacuations towards them when they died. */
  evacuations: number;
}

/**
 * From `afterMs` into the storm, fails up to `count` hosts that running evacuations are moving
 * onto, then `reportAfterMs` later sends each one's host.down. A zone never gets more than
 * `maxPerZone` hosts failed in all, below the storm guard's half of a zone, so no failover waits for
 * an operator and the storm settles by itself.
 */
export async function killDestinations(
  ctx: StormContext,
  options: { afterMs: number; count: number; reportAfterMs: number; maxPerZone: number },
): Promise<DestinationKills> {
  const started = Date.now();
  await sleep(options.afterMs);
  const zoneOf = new Map(ctx.cloud.hosts.map((h) => [h.id, h.zone]));
  const untouchable = new Set([
    ...ctx.storm.failedHosts,
    ...ctx.storm.maintainedHosts,
    ...ctx.storm.degradedHosts,
  ]);
  const failedIn = (zone: string) =>
    ctx.storm.failedHosts.filter((h) => zoneOf.get(h) === zone).length;
  const hit: string[] = [];
  let evacuations = 0;
  const deadline = Date.now() + 30_000;
  while (hit.length < options.count && Date.now() < deadline) {
    const running = await ctx.cluster.query<{ host: string; n: string }>(
      `SELECT params->>'toHostId' AS host, count(*) AS n FROM actions
        WHERE type = 'evacuate' AND state = 'running' GROUP BY 1 ORDER BY 2 DESC, 1`,
    );
    for (const { host, n } of running) {
      if (hit.length >= options.count || untouchable.has(host)) continue;
      if (failedIn(zoneOf.get(host) ?? '') + 1 > options.maxPerZone) continue;
      await ctx.sim.fail(host);
      untouchable.add(host);
      ctx.storm.failedHosts.push(host);
      hit.push(host);
      evacuations += Number(n);
    }
    await sleep(200);
  }
  await sleep(options.reportAfterMs);
  for (const host of hit) {
    const alarm = testAlarm('host.down', 'host', host, { id: `late-down-${host}`, source: 'aodh' });
    await sendOverHttp(ctx, alarm);
    // Counted with the storm: every message sent must be stored once.
    ctx.storm.items.push({ at: Date.now() - started, alarm, channel: 'http' });
  }
  return { hit, evacuations };
}

async function sendOverHttp(ctx: StormContext, alarm: AlarmV1): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const engine = ctx.cluster.engine();
    const res = engine
      ? await fetch(`${engine.url}/v1/alarms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(alarm),
        }).catch(() => null)
      : null;
    await res?.text();
    if (res?.status === 202) return;
    if (attempt >= 100) throw new Error(`the engine did not take ${alarm.id}: ${res?.status}`);
    await sleep(300);
  }
}
