import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { Engine, type PathResolver } from 'json-rules-engine';
import { InMemoryFactSource, resolveSimplePath, RuleSet } from '@reflex/rules';
import { alarmFacts } from '@reflex/rules/facts/alarm-facts';
import { registerReflexOperators } from '@reflex/rules/operators';
import type { Producer } from 'kafkajs';
import { createTopics, testKafka } from '../../../test/support/kafka';
import { alarmMessage, sendAll } from '../../support/kafka';
import { processCpuMs } from '../../support/cpu';
import { until } from '../../support/stats';

export const RULES_DIR = join(__dirname, '..', '..', '..', 'rules');

export interface FloorResult {
  /** Messages of the measured tag per second, first to last. */
  perSecond: number;
  messages: number;
  /** Rule events fired, as a check that the rules really ran. */
  fired: number;
  /** CPU time of this process per measured message, first to last. */
  cpuMsPerMessage: number;
  /** CPU time this process spent producing each message (for taking the producer out elsewhere). */
  sendCpuMsPerMessage: number;
}

/**
 * The raw floor: a bare kafkajs consumer (eachBatch, one Node process) that parses each alarm and
 * runs json-rules-engine on it with the shipped rules, nothing else: no validation, no database, no
 * planning. One json-rules-engine `Engine` is built once with the same rules, the same Reflex
 * operators and path resolver, and evaluations run one after another (an Engine must not run
 * twice at once). Facts come from the same `alarmFacts` definitions over an in-memory inventory, so
 * the rules see exactly what they would in Reflex.
 *
 * The alarms go on a topic of their own with one partition, warm-up first: the floor reads them in
 * that order, and the measured ones are timed from the first to the last. (One partition is no
 * handicap: the floor is CPU-bound in one Node process, whatever the partitions.)
 */
export async function runRawFloor(
  producer: Producer,
  topic: string,
  warmUp: readonly AlarmV1[],
  measured: readonly AlarmV1[],
  inventory: InventoryV1,
): Promise<FloorResult> {
  await createTopics([topic], 1);
  const total = warmUp.length + measured.length;
  const sendMs = await processCpuMs(() =>
    sendAll(
      producer,
      topic,
      [...warmUp, ...measured].map((a) => alarmMessage(a)),
    ),
  );
  const measuredIds = new Set(measured.map((a) => a.id));
  const rules = new RuleSet({ dir: RULES_DIR });
  await rules.reload();
  const engine = new Engine([], {
    allowUndefinedFacts: false,
    pathResolver: resolveSimplePath as PathResolver,
  });
  registerReflexOperators(engine);
  for (const rule of rules.rules().filter((r) => r.enabled)) {
    engine.addRule({
      name: rule.name,
      priority: rule.definition.priority,
      conditions: rule.definition.conditions,
      event: rule.definition.event,
    });
  }
  const facts = new InMemoryFactSource(inventory);

  let seen = 0;
  let timed = 0;
  let fired = 0;
  let first = 0;
  let last = 0;
  let cpuFirst = process.cpuUsage();
  let cpuLast = cpuFirst;
  const consumer = testKafka('reflex-bench-raw-floor').consumer({
    groupId: `bench-raw-floor-${randomBytes(6).toString('hex')}`,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const started = performance.now();
          const alarm = JSON.parse(message.value!.toString()) as AlarmV1;
          const run = await engine.run(alarmFacts(alarm, facts));
          fired += run.results.length;
          seen += 1;
          if (measuredIds.has(alarm.id)) {
            if (timed === 0) {
              first = started;
              // After its parse and evaluation: a hair short of the first message's CPU.
              cpuFirst = process.cpuUsage();
            }
            timed += 1;
            last = performance.now();
          }
        }
        if (timed > 0) cpuLast = process.cpuUsage();
      },
    });
    await until(`the raw floor to read ${total} alarms`, () => seen >= total, {
      timeoutMs: 300_000,
      intervalMs: 20,
    });
  } finally {
    await consumer.disconnect();
  }
  return {
    perSecond: timed > 1 ? ((timed - 1) * 1000) / (last - first) : Number.NaN,
    messages: timed,
    fired,
    // The CPU of timed - 1 messages: from after the first to the end of the last batch.
    cpuMsPerMessage:
      timed > 1
        ? (cpuLast.user + cpuLast.system - cpuFirst.user - cpuFirst.system) / 1000 / (timed - 1)
        : Number.NaN,
    sendCpuMsPerMessage: sendMs / total,
  };
}
