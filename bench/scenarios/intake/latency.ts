import type { AlarmV1 } from '@reflex/contracts';
import type { Producer } from 'kafkajs';
import { type BenchContext, size } from '../../support/context';
import {
  databaseClient,
  putInventory,
  startBenchEngine,
  type TestEngine,
} from '../../support/engine';
import { noPlanAlarms, planAlarms, type IntakeCloud } from '../../support/intake-cloud';
import { alarmMessage, sendPaced, TopicRecorder } from '../../support/kafka';
import { profiled } from '../../support/profile';
import { formatFigure, row } from '../../support/report';
import { commandLatency, DECIDED, PLANNED, waitForRate, type Latency } from './measure';

const S = 'intake';
/** The offered load of the latency run, and the share of it that makes plans. */
const OFFERED_PER_SECOND = 1_000;
const PLAN_SHARE = 0.1;
/** A load the engine keeps up with, for the latency of the path itself. */
const LIGHT_PLANS_PER_SECOND = 10;

const topicOf = (engine: TestEngine, topic: string) => `${engine.config.topicPrefix}${topic}`;

/**
 * `OFFERED_PER_SECOND` alarms/s, of which `PLAN_SHARE` make a plan and the rest end without one;
 * latency is measured on the plan-making ones.
 */
export async function latencyUnderLoad(ctx: BenchContext, cloud: IntakeCloud, producer: Producer) {
  const seconds = size(ctx, 10, 3);
  const total = OFFERED_PER_SECOND * seconds;
  const planned = Math.round(total * PLAN_SHARE);
  const plans = planAlarms(cloud, 0, planned, 'lat');
  const others = noPlanAlarms(cloud, total - planned, 'bg');
  const every = Math.round(1 / PLAN_SHARE);
  const alarms: AlarmV1[] = [];
  for (let i = 0, p = 0, o = 0; i < total; i++) {
    alarms.push(i % every === every - 1 && p < plans.length ? plans[p++] : others[o++]);
  }
  ctx.log(
    `latency: ${OFFERED_PER_SECOND} alarms/s for ${seconds} s, ${planned} of them making plans`,
  );
  const latency = await measureLatency(ctx, cloud, producer, alarms, 'lat-', OFFERED_PER_SECOND);
  const name = `at ${formatFigure(OFFERED_PER_SECOND)} alarms/s, ${PLAN_SHARE * 100}% making plans`;
  const note = `${total} alarms over ${seconds} s (${planned} instance.down making switch-over plans, the rest no-rule and duplicates); from each alarm's due time to the producer timestamp of its plan's first driver command; ${latencyNote(latency)}`;
  return [
    row(S, `alarm → command p50 ${name}`, latency.p50, 'ms'),
    row(S, `alarm → command p95 ${name}`, latency.p95, 'ms'),
    row(
      S,
      `alarm → command p99 ${name}`,
      latency.p99,
      'ms',
      { target: 100, comparator: '<=' },
      note,
    ),
  ];
}

/** The same path at a load it keeps up with: what one alarm costs end to end, without queueing. */
export async function latencyLight(ctx: BenchContext, cloud: IntakeCloud, producer: Producer) {
  const seconds = size(ctx, 10, 3);
  const alarms = planAlarms(cloud, 0, LIGHT_PLANS_PER_SECOND * seconds, 'light');
  ctx.log(`latency: ${LIGHT_PLANS_PER_SECOND} plan-making alarms/s for ${seconds} s`);
  const latency = await measureLatency(
    ctx,
    cloud,
    producer,
    alarms,
    'light-',
    LIGHT_PLANS_PER_SECOND,
  );
  const name = `at ${LIGHT_PLANS_PER_SECOND} plan-making alarms/s`;
  const note = `${alarms.length} alarms over ${seconds} s, every one making a plan; ${latencyNote(latency)}`;
  return [
    row(S, `alarm → command p50 ${name}`, latency.p50, 'ms'),
    row(S, `alarm → command p99 ${name}`, latency.p99, 'ms', undefined, note),
  ];
}

async function measureLatency(
  ctx: BenchContext,
  cloud: IntakeCloud,
  producer: Producer,
  alarms: AlarmV1[],
  planPrefix: string,
  perSecond: number,
): Promise<Latency> {
  const engine = await startBenchEngine();
  await putInventory(engine, cloud.inventory);
  const db = await databaseClient(engine);
  const commands = await TopicRecorder.start(topicOf(engine, 'driver.commands'));
  try {
    const sent = await profiled(`latency-${planPrefix.replace(/-$/, '')}`, () =>
      sendPaced(
        producer,
        topicOf(engine, 'alarms'),
        alarms.map((a) => alarmMessage(a)),
        perSecond,
      ),
    );
    if (sent.lagMs > 50) ctx.log(`the producer fell behind by up to ${sent.lagMs} ms`);
    const dueAt = new Map<string, number>();
    alarms.forEach((a, i) => {
      if (a.id.startsWith(planPrefix)) dueAt.set(a.id, sent.start + (i * 1000) / perSecond);
    });
    const timeoutMs = size(ctx, 300_000, 120_000);
    await waitForRate(db, DECIDED, '%', alarms.length, timeoutMs);
    await waitForRate(db, PLANNED, `${planPrefix}%`, dueAt.size, timeoutMs);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && distinctPlans(commands) < dueAt.size) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return await commandLatency(db, dueAt, commands.messages);
  } finally {
    await commands.stop();
    await db.end();
    await engine.close();
  }
}

function distinctPlans(recorder: TopicRecorder): number {
  return new Set(recorder.messages.map((m) => (JSON.parse(m.value) as { planId: string }).planId))
    .size;
}

function latencyNote(l: Latency): string {
  const seen = `${l.count} commands seen, max ${formatFigure(l.max)} ms; ${l.stages}`;
  return l.missing
    ? `${seen}; ${l.missing} never seen (the percentiles are then lower bounds)`
    : seen;
}
