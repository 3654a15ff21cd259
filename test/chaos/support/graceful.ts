// Graceful shutdown (SIGTERM) checks: the engine commits exactly what it processed, the driver
// hands its actions in flight over (leases released), and both stop within SHUTDOWN_TIMEOUT_MS.
import { Kafka, logLevel } from 'kafkajs';
import type { AlarmV1 } from '@reflex/contracts';
import { consumeUntil } from '../../support/kafka';
import type { ChaosCluster } from './cluster';
import type { ServiceProcess } from './service-process';
import { messageKey, readableKey, type StormItem } from './storm';

export interface StopReport {
  ms: number;
  violations: string[];
  /** Engine: messages consumed and committed before the stop. Driver: actions handed over. */
  detail: string;
}

/** SIGTERM, then how long it took to exit. */
export async function stopGracefully(service: ServiceProcess): Promise<number> {
  const started = Date.now();
  await service.kill('SIGTERM');
  return Date.now() - started;
}

async function committedOffsets(brokers: string, group: string, topic: string) {
  const admin = new Kafka({
    clientId: 'chaos-offsets',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return {
      committed: new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)])),
      total: ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * With the only engine stopped: every alarm message below the group's committed offset is stored
 * (nothing committed unprocessed), and no message at or above it is (nothing processed left
 * uncommitted, to be redone by the next consumer). Only messages that reached the engine no other
 * way (once on the topic, never over HTTP) can show the second.
 */
export async function checkEngineCommits(
  cluster: ChaosCluster,
  brokers: string,
  items: readonly StormItem[],
): Promise<StopReport> {
  const topic = `${cluster.prefix}alarms`;
  const { committed, total } = await committedOffsets(
    brokers,
    `${cluster.prefix}reflex-engine.alarms`,
    topic,
  );
  const violations: string[] = [];
  if (total === 0) return { ms: 0, violations, detail: 'no message yet' };
  const messages = await consumeUntil(topic, (all) => all.length >= total, {
    timeoutMs: 30_000,
    description: `all ${total} alarm messages`,
  });
  const overHttp = new Set(
    items.filter((i) => i.channel === 'http').map((i) => messageKey(i.alarm)),
  );
  const onTopic = new Map<string, number>();
  const keyed = messages.map((m) => {
    const key = messageKey(JSON.parse(m.value!) as AlarmV1);
    onTopic.set(key, (onTopic.get(key) ?? 0) + 1);
    return { key, below: Number(m.offset) < (committed.get(m.partition) ?? -1) };
  });
  const stored = new Set(
    (
      await cluster.query<{ source: string; alarm_id: string; state: string; occurred_at: Date }>(
        `SELECT source, alarm_id, state, occurred_at FROM alarms`,
      )
    ).map((r) =>
      messageKey({
        source: r.source,
        id: r.alarm_id,
        state: r.state as 'firing',
        occurredAt: r.occurred_at.toISOString(),
      }),
    ),
  );
  let below = 0;
  for (const m of keyed) {
    if (m.below) {
      below += 1;
      if (!stored.has(m.key)) violations.push(`committed but not stored: ${readableKey(m.key)}`);
    } else if (stored.has(m.key) && onTopic.get(m.key) === 1 && !overHttp.has(m.key)) {
      violations.push(`stored but its offset not committed: ${readableKey(m.key)}`);
    }
  }
  return { ms: 0, violations, detail: `${below} of ${messages.length} messages committed` };
}

/** With the only driver stopped: its unfinished actions are released for the next replica at once. */
export async function checkDriverHandover(cluster: ChaosCluster): Promise<StopReport> {
  const [row] = await cluster.query<{ open: string; held: string }>(
    `SELECT count(*) AS open, count(*) FILTER (WHERE lease_expires_at > now()) AS held
       FROM driver_actions WHERE finished_at IS NULL`,
  );
  const violations =
    Number(row.held) > 0
      ? [`${row.held} unfinished action(s) still leased to the stopped driver`]
      : [];
  return { ms: 0, violations, detail: `${row.open} action(s) in flight handed over` };
}
