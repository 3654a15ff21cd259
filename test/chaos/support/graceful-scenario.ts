// Scenario 5 of the chaos suite: SIGTERM to the engine and the driver, four times each, in the
// middle of a storm. Each stop must finish in-flight work and commit exactly what was processed
// (engine), or hand its actions over (driver), within SHUTDOWN_TIMEOUT_MS; a restart resumes.
import { checkDriverHandover, checkEngineCommits, stopGracefully } from './graceful';
import { sleep } from './monkey';
import { runStormScenario, type StormOutcome } from './storm-scenario';

/** `scaled` shrinks the storm (CHAOS_SCALE); the row's notes list every stop and its duration. */
export async function runGracefulScenario(
  brokers: string,
  scaled: (n: number) => number,
): Promise<StormOutcome> {
  const stops: string[] = [];
  const problems: string[] = [];
  let slowest = 0;
  const { row, verdict } = await runStormScenario({
    name: 'graceful',
    faults: ['interruptions'],
    seed: 5,
    cluster: { label: 'graceful', brokers, engines: 1, drivers: 1 },
    shape: {
      messages: scaled(1000),
      durationMs: scaled(70_000),
      hostFailures: scaled(6),
      maintenances: scaled(5),
      degraded: scaled(2),
      httpShare: 0.2,
      resendShare: 0.1,
    },
    chaos: async ({ cluster, rng, storm }) => {
      const rounds = 4;
      const engineRounds = (async () => {
        for (let i = 0; i < rounds; i++) {
          await sleep(rng.int(5_000, 12_000));
          const ms = await stopGracefully(cluster.engines[0]);
          slowest = Math.max(slowest, ms);
          const report = await checkEngineCommits(cluster, brokers, storm.items);
          stops.push(`engine ${ms} ms (${report.detail})`);
          problems.push(...report.violations);
          await cluster.engines[0].start();
        }
      })();
      const driverRounds = (async () => {
        for (let i = 0; i < rounds; i++) {
          await sleep(rng.int(5_000, 12_000));
          const ms = await stopGracefully(cluster.drivers[0]);
          slowest = Math.max(slowest, ms);
          const report = await checkDriverHandover(cluster);
          stops.push(`driver ${ms} ms (${report.detail})`);
          problems.push(...report.violations);
          await cluster.drivers[0].start();
        }
      })();
      await Promise.all([engineRounds, driverRounds]);
      return { kills: rounds * 2, restarts: rounds * 2 };
    },
    extraChecks: async ({ cluster }) => {
      const ungraceful = cluster.services.flatMap((p) =>
        p.exits.filter((e) => e.expected && e.signal !== 'SIGTERM' && e.code !== 0),
      );
      return [
        ...problems,
        ...(slowest > 20_000 ? [`a stop took ${slowest} ms, over SHUTDOWN_TIMEOUT_MS`] : []),
        ...ungraceful.map((e) => `a SIGTERM ended with code ${e.code}, signal ${e.signal}`),
      ];
    },
  });
  row.notes = `SIGTERM x4 each (kills column); stops: ${stops.join(', ')}; ${row.notes}`;
  return { row, verdict };
}
