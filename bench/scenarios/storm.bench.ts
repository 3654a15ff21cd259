import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AlarmV1 } from '@reflex/contracts';
import type { Message, Producer } from 'kafkajs';
import { startEngineReplica } from '../../test/support/engine-app';
import { track } from '../support/cleanup';
import { type BenchContext, type Scenario, size } from '../support/context';
import {
  count,
  databaseClient,
  putInventory,
  startBenchEngine,
  type TestEngine,
} from '../support/engine';
import { benchAlarm } from '../support/intake-cloud';
import { alarmMessage, benchProducer, sendAll, waitForGroupSettled } from '../support/kafka';
import { resetQueryLog, startQueryLog } from '../support/query-log';
import { profiled } from '../support/profile';
import { formatFigure, row, type Row } from '../support/report';
import { PLANNED, waitForCount, waitForRate } from './intake/measure';
import { everyNth, stormCloud } from '../support/storm-cloud';
import { commitment, lockShare } from './storm/storm-checks';
import { LockSampler } from './storm/lock-sampler';

const S = 'storm';

/** Plans from alarms matching `$1` whose first driver command is in the outbox. */
const WITH_COMMAND = `SELECT count(DISTINCT p.id) AS n FROM plans p
  JOIN outbox o ON o.topic = 'driver.commands' AND o.value->>'planId' = p.id::text
  WHERE p.trigger_alarm_id LIKE $1`;

/**
 * Storms through the real broker into real engines: many hosts down at once (how long until every
 * failover's first command is out, and is anything promised twice), and planning cells (one engine
 * against two on a two-cell cloud: plans per second and how much of it is waiting for locks).
 */
export const stormScenario: Scenario = {
  name: 'storm',
  title: 'Storm: hosts down at once through Kafka; planning cells with one and two engines',
  async run(ctx: BenchContext): Promise<Row[]> {
    await ctx.postgres();
    await ctx.kafka();
    startQueryLog();
    const producer = await benchProducer();
    try {
      return [...(await hostStorm(ctx, producer)), ...(await cells(ctx, producer))];
    } finally {
      await producer.disconnect();
    }
  },
};

const alarmsTopic = (engine: TestEngine) => `${engine.config.topicPrefix}alarms`;

async function hostStorm(ctx: BenchContext, producer: Producer): Promise<Row[]> {
  const hosts = size(ctx, 2_000, 400);
  const cloud = stormCloud(hosts);
  const down = everyNth(cloud, 4);
  const engine = await startBenchEngine();
  const db = await databaseClient(engine);
  try {
    await putInventory(engine, cloud);
    const now = Date.now();
    const alarms = down.map((id, i) =>
      benchAlarm(`storm-${i}`, 'host.down', { kind: 'host', id }, new Date(now + i)),
    );
    ctx.log(`host storm: ${down.length} of ${hosts} hosts down at once, through Kafka`);
    resetQueryLog();
    const start = Date.now();
    const out = await profiled('host-storm', async () => {
      await sendAll(
        producer,
        alarmsTopic(engine),
        alarms.map((a) => alarmMessage(a)),
      );
      return waitForCount(db, WITH_COMMAND, 'storm-%', down.length, 120_000);
    });
    const seconds = (out.at - start) / 1000;
    const locks = lockShare();
    const check = await commitment(db, cloud, new Set(down));
    const plans = await count(
      db,
      `SELECT count(*) AS n FROM plans WHERE trigger_alarm_id LIKE $1`,
      ['storm-%'],
    );
    ctx.log(
      `host storm: ${formatFigure(seconds)} s, ${check.moves} moves, ${check.overCommitted.length} over-committed`,
    );
    return [
      row(
        S,
        `${down.length} hosts down through Kafka: every failover's first command in the outbox`,
        Number.isNaN(out.at) ? Number.NaN : seconds,
        's',
        { target: 5, comparator: '<=' },
        `${hosts} hosts (64 vcpus / 256 GB, six 16 GB VMs each) in zones of 50; every 4th host down, ${down.length} host.down alarms sent in one burst to the engine's alarms topic (6 partitions); timed from the first send until ${out.done} of ${down.length} plans had a command in the outbox (${plans} plans made); ${formatFigure(locks.percent)}% of statement time waiting for planning locks`,
      ),
      row(
        S,
        'hosts over-committed after the storm',
        check.overCommitted.length,
        'hosts',
        { target: 0, comparator: '<=' },
        `every pending or running move of the live plans (${check.moves}) applied to the inventory, each host against its capacity × overcommit (CPU 4, memory 1); ${check.ontoFailed} moves onto a host that failed${check.overCommitted.length ? `; over: ${check.overCommitted.slice(0, 5).join(', ')}` : ''}`,
      ),
    ];
  } finally {
    await db.end();
    await engine.close();
  }
}

/**
 * One engine, then two, on a cloud of two planning cells: each cell's alarms on a partition of its
 * own (a producer keyed by cell), so with two engines each takes one cell.
 */
async function cells(ctx: BenchContext, producer: Producer): Promise<Row[]> {
  const hosts = size(ctx, 2_000, 400);
  const cloud = stormCloud(hosts, 2);
  const perCell = size(ctx, 250, 50);
  const rows: Row[] = [];
  const figures: Record<number, number> = {};
  for (const engines of [1, 2]) {
    const env = { PLANNING_CELL_LABEL: 'cell', TOPIC_PARTITIONS: '2' };
    const first = await startBenchEngine(env);
    const all = [first];
    if (engines === 2)
      all.push(
        track(
          await startEngineReplica(first, { LOG_LEVEL: 'error', RULES_WATCH: 'false', ...env }),
        ),
      );
    const db = await databaseClient(first);
    try {
      await putInventory(first, cloud);
      // The consumer group settled on its members, each with a partition, before anything is sent.
      await waitForGroupSettled(`${first.config.topicPrefix}reflex-engine.alarms`, engines);
      const tag = `cells${engines}`;
      const c1 = cloud.hosts.filter((h) => h.labels?.cell === 'c1').map((h) => h.id);
      const c2 = cloud.hosts.filter((h) => h.labels?.cell === 'c2').map((h) => h.id);
      const messages: Message[] = [];
      const now = Date.now();
      for (let i = 0; i < perCell; i++) {
        for (const [partition, cellHosts] of [c1, c2].entries()) {
          const id = cellHosts[(i * 4) % cellHosts.length];
          const alarm: AlarmV1 = benchAlarm(
            `${tag}-${partition}-${i}`,
            'host.down',
            { kind: 'host', id },
            new Date(now + i),
          );
          messages.push({ ...alarmMessage(alarm), partition });
        }
      }
      resetQueryLog();
      const sampler = LockSampler.start(first.database.url);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      await sendAll(producer, alarmsTopic(first), messages);
      // The intake scenario's measure: plans made, from the first alarm's intake to the last plan seen.
      const done = await waitForRate(db, PLANNED, `${tag}-%`, messages.length, 180_000);
      loop.disable();
      const waited = await sampler.stop();
      const perSecond = done.perSecond;
      const locks = lockShare();
      const stalls = `the event loop's delay p99 ${formatFigure(loop.percentile(99) / 1e6)} ms, max ${formatFigure(loop.max / 1e6)} ms`;
      figures[engines] = perSecond;
      ctx.log(
        `cells, ${engines} engine(s): ${formatFigure(perSecond)} plans/s, ${formatFigure(waited.percent)}% of transaction time waiting for locks (${formatFigure(locks.percent)}% of statement time)`,
      );
      rows.push(
        row(
          S,
          `two cells, ${engines} engine${engines === 2 ? 's' : ''}: plan path`,
          perSecond,
          'plans/s',
          undefined,
          `${done.done} of ${messages.length} host.down alarms planned (failovers), ${perCell} per cell, each cell's on its own partition of 2; rate from the first alarm's intake to the last plan seen`,
        ),
        row(
          S,
          `two cells, ${engines} engine${engines === 2 ? 's' : ''}: waiting for planning locks`,
          waited.percent,
          '% of transaction time',
          engines === 2 ? { target: 10, comparator: '<=' } : undefined,
          `the database's view, sampled every 10 ms: of the engines' backends inside a transaction (${waited.inTransaction} in ${waited.samples} samples), those waiting for an advisory lock (${waited.waiting})`,
        ),
        row(
          S,
          `two cells, ${engines} engine${engines === 2 ? 's' : ''}: time in lock statements`,
          locks.percent,
          '% of statement time',
          undefined,
          `the engines' view: ${formatFigure(locks.lockMs)} ms in pg_advisory_xact_lock (${locks.byKind}) of ${formatFigure(locks.totalMs)} ms of statements, every engine in this process; a statement's time includes the wait for the shared event loop once its answer is in (${stalls})`,
        ),
      );
    } finally {
      await db.end();
      for (const engine of all.reverse()) await engine.close();
    }
  }
  rows.push(
    row(
      S,
      'two cells: 2 engines / 1 engine',
      figures[2] / figures[1],
      'x',
      undefined,
      'both engines run in this one process (one event loop, 2 cores shared with PostgreSQL and the broker): what a second replica adds here is its own database work, not CPU',
    ),
  );
  return rows;
}
