// The shape every storm scenario shares: a cluster on a fresh database and prefix, the cloud seeded
// in the engine and the simulator, a storm sent while `chaos` does its damage, then settle and
// verify.
import type { InventoryV1 } from '@reflex/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { http } from '../../support/http';
import { waitFor } from '../../support/wait-for';
import { settle, verify, type Verdict } from './checks';
import { buildCloud, Rng, STORM_CLOUD } from './cloud';
import { ChaosCluster, type ClusterOptions } from './cluster';
import { checkRecovery, type InjectedFault } from './recovery-checks';
import type { MonkeyReport } from './monkey';
import type { ResultRow } from './results';
import { SimHostFailures } from './sim-host-failures';
import { buildStorm, distinctMessages, type Storm, type StormShape } from './storm';
import { StormRunner, type StormStats } from './storm-runner';

export interface StormContext {
  cluster: ChaosCluster;
  storm: Storm;
  /** The cloud seeded in the engine and the simulator. */
  cloud: InventoryV1;
  rng: Rng;
  /** Fails hosts in the simulated cloud without telling monitoring. */
  sim: SimHostFailures;
  /** Resolves when the last storm message has been acknowledged. */
  sent: Promise<StormStats>;
}

export interface StormScenario {
  name: string;
  cluster: Omit<ClusterOptions, 'label'> & { label: string };
  shape: StormShape;
  seed: number;
  /** Faults injected besides the storm's host failures, which may explain a failed plan. */
  faults?: InjectedFault[];
  /** Changes the storm before it is sent (the rack scenario adds its power loss). */
  shapeStorm?(storm: Storm, cloud: InventoryV1, rng: Rng): void;
  /** The damage done while the storm runs; resolves when it is over (services running again). */
  chaos(ctx: StormContext): Promise<MonkeyReport>;
  /** Extra checks (e.g. sampled during the storm); each string is a violation. */
  extraChecks?(ctx: StormContext): Promise<string[]>;
  settleTimeoutMs?: number;
  notes?: string;
}

export interface StormOutcome {
  row: ResultRow;
  verdict: Verdict;
}

async function topicMessages(brokers: string, topics: string[]): Promise<number> {
  const admin = new Kafka({
    clientId: 'chaos-count',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

export async function runStormScenario(s: StormScenario): Promise<StormOutcome> {
  const started = Date.now();
  const cluster = await ChaosCluster.create(s.cluster);
  const sim = new SimHostFailures(cluster.database.url);
  try {
    await cluster.start();
    const rng = new Rng(s.seed);
    const cloud = buildCloud(STORM_CLOUD, rng);
    await cluster.seed(cloud);
    const storm = buildStorm(cloud, s.shape, rng);
    s.shapeStorm?.(storm, cloud, rng);
    const runner = new StormRunner(cluster, s.cluster.brokers, sim.fail);
    const sent = runner.run(storm.items);
    const ctx: StormContext = { cluster, storm, cloud, rng, sim, sent };
    const [stats, damage] = await Promise.all([sent, s.chaos(ctx)]);
    const stopped = cluster.services.filter((p) => !p.alive).map((p) => p.name);
    if (stopped.length)
      throw new Error(`services not running after the chaos: ${stopped.join(', ')}`);
    // Recovered by themselves: database and broker reachable again, as each service sees it.
    for (const p of cluster.services) {
      await waitFor(
        `${p.name} to be ready again`,
        async () => (await fetch(`${p.url}/readyz`)).status === 200,
        { timeoutMs: 90_000, intervalMs: 500 },
      );
    }
    const distinct = distinctMessages(storm.items);
    await settle(cluster, distinct.size, s.settleTimeoutMs ?? 180_000);
    const verdict = await verify(cluster, distinct, sim);
    if (s.extraChecks) verdict.violations.push(...(await s.extraChecks(ctx)));
    const real = (await http<InventoryV1>('GET', `${cluster.driver()!.url}/v1/sim/state`)).body;
    const recovery = await checkRecovery(cluster, real, new Set(storm.failedHosts), s.faults ?? []);
    // Instances left down and failed plans no injected fault explains fail the row (issue 15).
    // CHAOS_STRICT_RECOVERY=0 only lists them in the notes, to look at the rest of a run meanwhile.
    const strict = process.env.CHAOS_STRICT_RECOVERY !== '0';
    if (strict) verdict.violations.push(...recovery.violations);
    const driverMessages = await topicMessages(s.cluster.brokers, [
      `${cluster.prefix}driver.commands`,
      `${cluster.prefix}driver.events`,
    ]);
    const row: ResultRow = {
      scenario: s.name,
      kills: damage.kills,
      restarts: damage.restarts,
      messages: stats.kafka + stats.http + driverMessages,
      alarms: verdict.alarms,
      plans: verdict.plans,
      leftDown: recovery.leftDown,
      failedPlans: recovery.failedPlans,
      lost: verdict.lost,
      duplicated: verdict.duplicated,
      pass: verdict.lost === 0 && verdict.duplicated === 0 && verdict.violations.length === 0,
      seconds: Math.round((Date.now() - started) / 1000),
      notes: [
        `${storm.items.length} alarm msgs (${distinct.size} distinct; ${stats.kafka} Kafka, ${stats.http} HTTP)`,
        `${storm.failedHosts.length} hosts failed, ${storm.maintainedHosts.length} drained, ${storm.degradedHosts.length} degraded`,
        `plans ${JSON.stringify(verdict.planStates)}`,
        s.notes,
        damage.notes,
        ...verdict.violations,
        ...(strict
          ? []
          : recovery.violations.map((v) => `not counted (CHAOS_STRICT_RECOVERY=0): ${v}`)),
      ]
        .filter(Boolean)
        .join('; '),
    };
    return { row, verdict };
  } catch (error) {
    const tails = cluster.services.map((p) => `--- ${p.name} ---\n${p.output(1500)}`).join('\n');
    throw new Error(`${s.name}: ${(error as Error).message}\n${tails}`);
  } finally {
    await sim.close();
    await cluster.close();
  }
}
