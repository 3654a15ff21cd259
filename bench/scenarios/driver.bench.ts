import { randomBytes } from 'node:crypto';
import type { DriverCommandV1, DriverEventV1 } from '@reflex/contracts/driver.v1';
import type { InventoryV1 } from '@reflex/contracts/inventory.v1';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { simulatedCloud } from '../../apps/driver/src/backends/simulator/testing/simulated-topology';
import { startTestDriver, type TestDriver } from '../../test/support/driver-app';
import { track } from '../support/cleanup';
import { type BenchContext, type Scenario, size } from '../support/context';
import { benchProducer, sendAll, TopicRecorder } from '../support/kafka';
import {
  ignoreClient,
  queryStats,
  resetQueryLog,
  startQueryLog,
  totalQueries,
} from '../support/query-log';
import { formatFigure, row, type Row } from '../support/report';
import { sleep } from '../support/stats';

const S = 'driver';
const FINAL = new Set(['succeeded', 'failed', 'aborted']);

/** Two simulated hosts with room for everything, and `count` VMs of no memory: a migration takes no time. */
function zeroLengthCloud(count: number): InventoryV1 {
  return simulatedCloud(
    ['sim-1', 'sim-2'],
    { vcpus: 100_000, memoryMb: 1_073_741_824 },
    Array.from({ length: count }, (_, i) => [
      `vm-${i}`,
      i % 2 ? 'sim-2' : 'sim-1',
      { vcpus: 0, memoryMb: 0 },
    ]),
  );
}

function command(i: number, run: string): DriverCommandV1 {
  return {
    kind: 'execute',
    actionId: `${run}-${i}`,
    planId: `bench-${run}`,
    attempt: 1,
    type: 'live-migrate',
    params: {
      instanceId: `vm-${i}`,
      fromHostId: i % 2 ? 'sim-2' : 'sim-1',
      toHostId: i % 2 ? 'sim-1' : 'sim-2',
    },
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

/**
 * The driver service as shipped (apps/driver, its Kafka consumer, leases in `driver_actions`, the
 * simulator backend with its state in PostgreSQL), booted in this process with the production
 * defaults. Execute commands for zero-length live migrations go in on `<prefix>driver.commands` in
 * one burst; actions per second are counted from the final events on `<prefix>driver.events`.
 */
export const driverScenario: Scenario = {
  name: 'driver',
  title: 'Driver: zero-length migrations through the simulator',
  async run(ctx: BenchContext): Promise<Row[]> {
    await ctx.postgres();
    await ctx.kafka();
    startQueryLog();
    const warm = size(ctx, 100, 50);
    const count = size(ctx, 1_000, 300);
    const driver = track(
      await startTestDriver({
        env: { LOG_LEVEL: 'error', DRIVER_PROGRESS_INTERVAL_MS: '1000', DRIVER_LEASE_MS: '15000' },
      }),
    );
    const producer = await benchProducer();
    const events = await TopicRecorder.start(`${driver.config.topicPrefix}driver.events`);
    try {
      await seed(driver, zeroLengthCloud(warm + count));
      const warmRun = await burst(ctx, driver, producer, events, 0, warm, 'warm');
      ctx.log(`driver warm-up: ${formatFigure(warmRun.perSecond)} actions/s`);
      resetQueryLog();
      const cpu = process.cpuUsage();
      const measured = await burst(ctx, driver, producer, events, warm, count, 'run');
      // This process: the driver, and the bench's own producer and recorder (small beside it).
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000 / count;
      ctx.log(`driver: ${formatFigure(cpuMs)} ms of CPU per action in this process`);
      ctx.log(`driver: ${formatFigure(measured.perSecond)} actions/s`);
      const perAction = totalQueries() / count;
      ctx.log(`driver: ${formatFigure(perAction)} queries per action`);
      const stats = queryStats();
      const total = stats.reduce((ms, q) => ms + q.totalMs, 0);
      const top = stats
        .slice(0, 2)
        .map((q) => `${q.sql.slice(0, 60)}… ${Math.round((100 * q.totalMs) / total)}%`)
        .join('; ');
      const simulator = await simulatorRows(driver);
      return [
        row(
          S,
          'driver: zero-length live migrations',
          measured.perSecond,
          'actions/s',
          { target: 1_000, comparator: '>=' },
          `${count} execute commands in one burst after ${warm} warm-up, from the first command sent to the last final event; ${measured.outcomes}; production defaults (DRIVER_PROGRESS_INTERVAL_MS 1000), memoryMb 0 so each migration is done at its first poll; ${formatFigure(perAction)} database queries per action (group-committed); ${formatFigure(cpuMs)} ms of this process's CPU per action (driver and the bench's Kafka clients); database time: ${top}; the simulated cloud by the end: ${simulator}`,
        ),
      ];
    } finally {
      await events.stop();
      await producer.disconnect();
      await driver.close();
    }
  },
};

/** The simulator's rows: operations are pruned two leases after their action's final event. */
async function simulatorRows(driver: TestDriver): Promise<string> {
  const client = new Client({ connectionString: driver.database.url });
  ignoreClient(client);
  await client.connect();
  try {
    const r = await client.query<{ operations: string; calls: string; mb: number }>(
      `SELECT (SELECT count(*) FROM simulator_operations) AS operations,
              (SELECT count(*) FROM simulator_calls) AS calls,
              (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
               WHERE c.relkind = 'r' AND c.relname LIKE 'simulator\\_%') / 1e6 AS mb`,
    );
    const row = r.rows[0];
    return `${row.operations} operation rows, ${row.calls} call rows, ${formatFigure(Number(row.mb))} MB in its tables`;
  } finally {
    await client.end();
  }
}

async function seed(driver: TestDriver, inventory: InventoryV1): Promise<void> {
  const response = await fetch(`${driver.url}/v1/sim/state`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(inventory),
  });
  if (!response.ok)
    throw new Error(`seeding the simulator: ${response.status} ${await response.text()}`);
}

async function burst(
  ctx: BenchContext,
  driver: TestDriver,
  producer: Producer,
  events: TopicRecorder,
  from: number,
  count: number,
  label: string,
): Promise<{ perSecond: number; outcomes: string }> {
  const run = `${label}-${randomBytes(3).toString('hex')}`;
  const commands = Array.from({ length: count }, (_, i) => command(from + i, run));
  const started = Date.now();
  await sendAll(
    producer,
    `${driver.config.topicPrefix}driver.commands`,
    commands.map((c) => ({ key: c.actionId, value: JSON.stringify(c) })),
  );
  const finals = new Map<string, { status: string; at: number }>();
  let read = 0;
  const deadline = Date.now() + size(ctx, 600_000, 180_000);
  while (finals.size < count && Date.now() < deadline) {
    for (; read < events.messages.length; read++) {
      const m = events.messages[read];
      const event = JSON.parse(m.value) as DriverEventV1;
      if (event.actionId.startsWith(`${run}-`) && FINAL.has(event.status)) {
        if (!finals.has(event.actionId))
          finals.set(event.actionId, { status: event.status, at: m.timestamp });
      }
    }
    await sleep(100);
  }
  const times = [...finals.values()].map((f) => f.at - started).sort((a, b) => a - b);
  const last = started + times[times.length - 1];
  // When the finals came: a steady stream (throughput-bound) or a tail (latency-bound).
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  ctx.log(
    `driver ${label}: finals after ${[0.1, 0.5, 0.9, 1].map((q) => `${at(q)} ms (${q * 100}%)`).join(', ')}`,
  );
  const byStatus = new Map<string, number>();
  for (const f of finals.values()) byStatus.set(f.status, (byStatus.get(f.status) ?? 0) + 1);
  const outcomes = [
    ...[...byStatus].map(([s, n]) => `${n} ${s}`),
    ...(finals.size < count
      ? [`${count - finals.size} with no final event before the timeout`]
      : []),
  ].join(', ');
  return { perSecond: (finals.size * 1000) / (last - started), outcomes };
}
