// Kills a service at random moments and starts it again, a given number of times.
import type { Rng } from './cloud';
import type { ServiceProcess } from './service-process';

export interface MonkeyReport {
  kills: number;
  restarts: number;
  /** Kills that hit work in flight (as `busy` counted it just before the signal). */
  busyKills?: number;
  /** What the damage was, for the results table. */
  notes?: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `times` rounds of: wait a random time in `upMs` (the service running), SIGKILL it, wait a random
 * time in `downMs`, start it again and wait until it is ready. Picks one of `targets` each round.
 */
export async function killRepeatedly(
  targets: readonly ServiceProcess[],
  rng: Rng,
  options: {
    times: number;
    upMs: [number, number];
    downMs: [number, number];
    signal?: 'SIGKILL' | 'SIGTERM';
    /** How much work is in flight right now (e.g. unfinished driver actions). */
    busy?: () => Promise<number>;
    /** How long to wait for `busy` to be positive before killing all the same. */
    busyWaitMs?: number;
  },
  report: MonkeyReport = { kills: 0, restarts: 0, busyKills: 0 },
): Promise<MonkeyReport> {
  for (let i = 0; i < options.times; i++) {
    await sleep(rng.int(...options.upMs));
    const target = rng.pick(targets);
    // A kill is worth most with work in flight: wait a little for some, if there is none now.
    let busy = 0;
    for (let waited = 0; options.busy && waited <= (options.busyWaitMs ?? 0); waited += 100) {
      busy = await options.busy().catch(() => 0);
      if (busy > 0) break;
      await sleep(100);
    }
    const exit = await target.kill(options.signal ?? 'SIGKILL');
    if (exit) report.kills += 1;
    if (exit && busy > 0) report.busyKills = (report.busyKills ?? 0) + 1;
    await sleep(rng.int(...options.downMs));
    await target.start();
    report.restarts += 1;
  }
  return report;
}
