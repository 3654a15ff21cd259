import type { AlarmV1 } from '@reflex/contracts';
import type { Message, Producer } from 'kafkajs';
import { type BenchContext, type Scenario, size } from '../support/context';
import { databaseClient, putInventory, startBenchEngine, type TestEngine } from '../support/engine';
import { intakeCloud, noPlanAlarms, planAlarms, type IntakeCloud } from '../support/intake-cloud';
import { alarmMessage, benchProducer, sendAll } from '../support/kafka';
import { queryStats, resetQueryLog, startQueryLog, totalQueries } from '../support/query-log';
import { cpuMeter, type CpuSpent } from '../support/cpu';
import { profiled } from '../support/profile';
import { formatFigure, row, type Row } from '../support/report';
import { latencyLight, latencyUnderLoad } from './intake/latency';
import { DECIDED, dispositions, PLANNED, plansWithCommand, waitForRate } from './intake/measure';
import { type FloorResult, runRawFloor } from './intake/raw-floor';

const S = 'intake';
/** One group per plan-making alarm, for every run of this scenario, plus room. */
const GROUPS = 2_000;

const topicOf = (engine: TestEngine, topic: string) => `${engine.config.topicPrefix}${topic}`;

async function bootEngine(cloud: IntakeCloud): Promise<TestEngine> {
  const engine = await startBenchEngine();
  await putInventory(engine, cloud.inventory);
  return engine;
}

/**
 * Intake on the real broker and database: a real engine in this process, the shipped rules, alarms
 * on `<prefix>alarms`. Throughput is read from the engine's own tables; latency from the producer
 * timestamps of alarms and of the driver commands they lead to.
 */
export const intakeScenario: Scenario = {
  name: 'intake',
  title: 'Intake: throughput, the raw floor, alarm-to-command latency',
  async run(ctx: BenchContext): Promise<Row[]> {
    await ctx.postgres();
    await ctx.kafka();
    startQueryLog();
    const cloud = intakeCloud(GROUPS);
    const producer = await benchProducer();
    try {
      return [
        ...(await throughput(ctx, cloud, producer)),
        ...(await latencyUnderLoad(ctx, cloud, producer)),
        ...(await latencyLight(ctx, cloud, producer)),
      ];
    } finally {
      await producer.disconnect();
    }
  },
};

async function throughput(ctx: BenchContext, cloud: IntakeCloud, producer: Producer) {
  const noPlanCount = size(ctx, 10_000, 2_000);
  const planCount = size(ctx, 1_000, 150);
  const warm = size(ctx, 500, 200);
  const planWarm = size(ctx, 50, 20);
  const timeoutMs = size(ctx, 600_000, 180_000);
  const noPlanWarm = noPlanAlarms(cloud, warm, 'warm');
  const noPlanMeasured = noPlanAlarms(cloud, noPlanCount, 'np');
  const planWarmAlarms = planAlarms(cloud, 0, planWarm, 'pwarm');
  const planMeasured = planAlarms(cloud, planWarm, planCount, 'pl');
  const rows: Row[] = [];
  const engine = await bootEngine(cloud);
  const db = await databaseClient(engine);
  const alarmsTopic = topicOf(engine, 'alarms');
  const rawTopic = (name: string) => topicOf(engine, `raw-floor.${name}`);
  const sizes = `${cloud.inventory.hosts.length} hosts, ${cloud.inventory.instances.length} instances in ${GROUPS} N+1 groups`;
  try {
    // No plan: JIT warm-up first, then the measured burst.
    ctx.log(`no-plan path: ${warm} warm-up + ${noPlanCount} alarms`);
    await sendAlarms(producer, alarmsTopic, noPlanWarm);
    await waitForRate(db, DECIDED, 'warm-%', warm, timeoutMs);
    resetQueryLog();
    const cpu = await cpuMeter(db);
    const noPlan = await profiled('no-plan', async () => {
      await sendAlarms(producer, alarmsTopic, noPlanMeasured);
      return waitForRate(db, DECIDED, 'np-%', noPlanCount, timeoutMs);
    });
    const noPlanCpu = await cpu.stop();
    const noPlanTrips = roundTrips(noPlanCount);
    const noPlanMix = await dispositions(db, 'np-%');
    ctx.log(`no-plan path: ${formatFigure(noPlan.perSecond)} alarms/s (${noPlanMix})`);

    // The engine is idle now (no live plan yet): the floor has the machine to itself.
    ctx.log('raw floor on the same alarms');
    const floor = await runRawFloor(
      producer,
      rawTopic('no-plan'),
      noPlanWarm,
      noPlanMeasured,
      cloud.inventory,
    );
    ctx.log(`raw floor: ${formatFigure(floor.perSecond)} alarms/s`);
    rows.push(
      row(
        S,
        'no-plan intake (no rule, duplicate)',
        noPlan.perSecond,
        'alarms/s',
        { target: 20_000, comparator: '>=' },
        `${noPlanCount} alarms after ${warm} warm-up (${noPlanMix}); ${incomplete(noPlan)}${sizes}; rate from the first alarm's intake (alarms.received_at) to the last seen decided (polled every 10 ms)`,
      ),
      row(
        S,
        'raw floor (kafkajs + json-rules-engine only)',
        floor.perSecond,
        'alarms/s',
        undefined,
        'bare kafkajs eachBatch consumer on one partition, JSON.parse, one json-rules-engine Engine with the shipped rules and Reflex operators, facts in memory (alarmFacts over InMemoryFactSource), the same alarms, in the same process with the engine idle',
      ),
      row(S, 'no-plan intake / raw floor', (100 * noPlan.perSecond) / floor.perSecond, '%', {
        target: 80,
        comparator: '>=',
      }),
      ...cpuRows(noPlanCpu, noPlanCount, floor),
      row(
        S,
        'database round trips per no-plan alarm',
        noPlanTrips.perItem,
        'queries',
        undefined,
        `every statement the engine sent while deciding them; most time in: ${noPlanTrips.top}`,
      ),
    );

    ctx.log(`plan path: ${planWarm} warm-up + ${planCount} alarms, one switch-over plan each`);
    await sendAlarms(producer, alarmsTopic, planWarmAlarms);
    await waitForRate(db, PLANNED, 'pwarm-%', planWarm, timeoutMs);
    resetQueryLog();
    const planCpuMeter = await cpuMeter(db);
    const plan = await profiled('plan-path', async () => {
      await sendAlarms(producer, alarmsTopic, planMeasured);
      return waitForRate(db, PLANNED, 'pl-%', planCount, timeoutMs);
    });
    const planCpu = await planCpuMeter.stop();
    const planTrips = roundTrips(planCount);
    const withCommand = await plansWithCommand(db, 'pl-%');
    ctx.log(`plan path: ${formatFigure(plan.perSecond)} plans/s`);
    const idle = await idleTicks(planWarm + planCount);
    rows.push(
      row(
        S,
        'plan path (plan committed, command in outbox)',
        plan.perSecond,
        'plans/s',
        { target: 1_000, comparator: '>=' },
        `${planCount} instance.down alarms on distinct N+1 groups after ${planWarm} warm-up, each a switch-over plan; ${withCommand} of ${plan.done} plans have their first command in the outbox; ${incomplete(plan)}rate from the first alarm's intake to the last plan seen (polled every 10 ms); no driver, so live plans accumulate as in a storm`,
      ),
      row(
        S,
        'plan path CPU per plan: engine process',
        (1000 * planCpu.processMs) / planCount,
        'µs',
        undefined,
        'this process, producing the alarms included',
      ),
      row(
        S,
        'plan path CPU per plan: database backends',
        (1000 * planCpu.databaseMs) / planCount,
        'µs',
      ),
      row(
        S,
        'database round trips per plan',
        planTrips.perItem,
        'queries',
        undefined,
        `alarm, planning and outbox relay; most time in: ${planTrips.top}`,
      ),
      row(
        S,
        `plan steps/s the ticker makes with ${planWarm + planCount} live plans, no alarms`,
        idle.stepsPerSecond,
        'steps/s',
        undefined,
        `${formatFigure(idle.queriesPerSecond)} queries/s over ${IDLE_SECONDS} s with nothing arriving; each plan's pending recover-instance waits for its running switch-over, so the ticker should leave these plans alone (a plan is due only for an action it can start, a deadline, or nothing left open)`,
      ),
    );
  } finally {
    await db.end();
    await engine.close();
  }

  // With the engine gone: its ticker keeps stepping the live plans and would take the floor's CPU.
  const planFloor = await runRawFloor(
    producer,
    rawTopic('plan'),
    [...noPlanWarm, ...planWarmAlarms],
    planMeasured,
    cloud.inventory,
  );
  const plan = rows.find((r) => r.name.startsWith('plan path'))!;
  rows.push(
    row(
      S,
      'plan path / raw floor on the same alarms',
      (100 * plan.figure) / planFloor.perSecond,
      '%',
      undefined,
      `raw floor on the plan-making alarms: ${formatFigure(planFloor.perSecond)} alarms/s`,
    ),
  );
  return rows;
}

/**
 * The no-plan path's CPU per alarm beside the raw floor's, which move far less with the machine's
 * load than rates do: the engine's process (less what this process spent producing the alarms,
 * measured on the floor's own send) and its database backends.
 */
function cpuRows(spent: CpuSpent, alarms: number, floor: FloorResult): Row[] {
  const engineUs = (1000 * (spent.processMs - alarms * floor.sendCpuMsPerMessage)) / alarms;
  const databaseUs = (1000 * spent.databaseMs) / alarms;
  const floorUs = 1000 * floor.cpuMsPerMessage;
  return [
    row(
      S,
      'no-plan CPU per alarm: engine process',
      engineUs,
      'µs',
      undefined,
      `this process's CPU while deciding them, less ${formatFigure(1000 * floor.sendCpuMsPerMessage)} µs per alarm for producing it`,
    ),
    row(S, 'no-plan CPU per alarm: database backends', databaseUs, 'µs'),
    row(S, 'raw floor CPU per alarm', floorUs, 'µs'),
    row(
      S,
      'raw floor CPU / no-plan engine process CPU',
      (100 * floorUs) / engineUs,
      '%',
      undefined,
      `with the database backends too: ${formatFigure((100 * floorUs) / (engineUs + databaseUs))}%`,
    ),
  ];
}

const IDLE_SECONDS = 5;

/** What the engine does on its own with `livePlans` live plans and nothing arriving. */
async function idleTicks(livePlans: number) {
  resetQueryLog();
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const steps = queryStats()
    .filter((q) =>
      q.sql.startsWith('SELECT id, cell FROM plans WHERE id = $1 FOR UPDATE SKIP LOCKED'),
    )
    .reduce((n, q) => n + q.calls, 0);
  return {
    livePlans,
    stepsPerSecond: steps / IDLE_SECONDS,
    queriesPerSecond: totalQueries() / IDLE_SECONDS,
  };
}

async function sendAlarms(producer: Producer, topic: string, alarms: AlarmV1[]): Promise<void> {
  const messages: Message[] = alarms.map((a) => alarmMessage(a));
  await sendAll(producer, topic, messages);
}

/** Queries the engine sent since the last reset, per item, and where their time went. */
function roundTrips(items: number): { perItem: number; top: string } {
  const stats = queryStats();
  const total = stats.reduce((ms, q) => ms + q.totalMs, 0);
  const top = stats
    .slice(0, 3)
    .map((q) => `${q.sql.slice(0, 60)}… ${Math.round((100 * q.totalMs) / total)}%`)
    .join('; ');
  // BENCH_QUERIES=1: every statement, for finding where a path's time goes.
  if (process.env.BENCH_QUERIES) {
    for (const q of stats.slice(0, 25)) {
      console.log(`${q.calls}\t${Math.round(q.totalMs)} ms\t${q.sql.slice(0, 90)}`);
    }
  }
  return { perItem: totalQueries() / items, top };
}

function incomplete(t: { complete: boolean; done: number; expected: number }): string {
  return t.complete ? '' : `ONLY ${t.done} of ${t.expected} done before the timeout; `;
}
