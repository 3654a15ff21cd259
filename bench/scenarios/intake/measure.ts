import type { Client } from 'pg';
import { count } from '../../support/engine';
import type { Observed } from '../../support/kafka';
import { percentiles, sleep, type Percentiles } from '../../support/stats';

export interface Throughput {
  done: number;
  expected: number;
  perSecond: number;
  /** False when the wait timed out: `perSecond` is then over what was done by then. */
  complete: boolean;
}

/**
 * Polls `countSql` (one `$1` for the id pattern) until it reaches `expected` or `timeoutMs` passes:
 * every 250 ms at first and every 10 ms from half done, so that `at`, when it was last read, is
 * close to when the last one was done. `at` is NaN when the wait timed out.
 */
export async function waitForCount(
  db: Client,
  countSql: string,
  pattern: string,
  expected: number,
  timeoutMs: number,
): Promise<{ done: number; at: number }> {
  const deadline = Date.now() + timeoutMs;
  let done = 0;
  while (Date.now() < deadline) {
    done = await count(db, countSql, [pattern]);
    if (done >= expected) return { done, at: Date.now() };
    await sleep(done >= expected / 2 ? 10 : 250);
  }
  return { done, at: Number.NaN };
}

/**
 * Waits as `waitForCount`, then gives the rate from the first matching alarm's intake
 * (`received_at`, when its transaction began, on the database's clock, the same machine's) to when
 * the last was seen done; on a timeout, over what was done by then. Not from the rows' own
 * timestamps: those are taken when a transaction begins or plans, so the span between the first
 * and the last of them leaves out the last transaction's work and commit, which is most of the run
 * when a few transactions hold everything.
 */
export async function waitForRate(
  db: Client,
  countSql: string,
  pattern: string,
  expected: number,
  timeoutMs: number,
): Promise<Throughput> {
  const { done, at } = await waitForCount(db, countSql, pattern, expected, timeoutMs);
  const end = Number.isNaN(at) ? Date.now() : at;
  const start = await db.query<{ s: number | null }>(FIRST_INTAKE, [pattern]);
  const seconds = end / 1000 - Number(start.rows[0].s ?? Number.NaN);
  return {
    done,
    expected,
    perSecond: done > 0 && seconds > 0 ? done / seconds : Number.NaN,
    complete: done >= expected,
  };
}

/** When the first alarm whose id matches `$1` was taken in, epoch seconds. */
const FIRST_INTAKE = `SELECT extract(epoch FROM min(received_at)) AS s FROM alarms WHERE alarm_id LIKE $1`;

/** Alarms decided (any disposition but `received`) whose id matches `$1`. */
export const DECIDED = `SELECT count(*) AS n FROM alarms WHERE alarm_id LIKE $1 AND disposition <> 'received'`;

/** Plans made from alarms whose id matches `$1`. */
export const PLANNED = `SELECT count(*) AS n FROM plans WHERE trigger_alarm_id LIKE $1`;

/** Of the plans made from alarms matching `$1`, how many have a driver command in the outbox. */
export function plansWithCommand(db: Client, pattern: string): Promise<number> {
  return count(
    db,
    `SELECT count(DISTINCT p.id) AS n FROM plans p
     JOIN outbox o ON o.topic = 'driver.commands' AND o.value->>'planId' = p.id::text
     WHERE p.trigger_alarm_id LIKE $1`,
    [pattern],
  );
}

export async function dispositions(db: Client, pattern: string): Promise<string> {
  const rows = await db.query<{ disposition: string; n: string }>(
    `SELECT disposition, count(*) AS n FROM alarms WHERE alarm_id LIKE $1 GROUP BY 1 ORDER BY 1`,
    [pattern],
  );
  return rows.rows.map((r) => `${r.n} ${r.disposition}`).join(', ');
}

export interface Latency extends Percentiles {
  /** Plan-making alarms whose first command was not seen by the end of the wait. */
  missing: number;
  /**
   * Where the time went, p50 / p99 in ms of each stage: due → its intake transaction began
   * (`alarms.received_at`: the consumer's lag and waiting batches), → plan made (`plans.created_at`:
   * the decisions before it in the batch and the planning lock), → command published (the rest of
   * the batch, the commit and the outbox relay).
   */
  stages: string;
}

/**
 * From each plan-making alarm's due time (`dueAt`, by alarm id) to the producer timestamp of the
 * first driver command of the plan it made. Plans are mapped back to alarms through
 * `plans.trigger_alarm_id`; an alarm without a command counts as missing, never as fast.
 */
export async function commandLatency(
  db: Client,
  dueAt: ReadonlyMap<string, number>,
  commands: readonly Observed[],
): Promise<Latency> {
  const firstByPlan = new Map<string, number>();
  for (const m of commands) {
    const command = JSON.parse(m.value) as { planId: string; kind: string };
    if (command.kind !== 'execute') continue;
    const seen = firstByPlan.get(command.planId);
    if (seen === undefined || m.timestamp < seen) firstByPlan.set(command.planId, m.timestamp);
  }
  const plans = await db.query<{ id: string; alarm: string; received: Date; created: Date }>(
    `SELECT p.id, p.trigger_alarm_id AS alarm, a.received_at AS received, p.created_at AS created
       FROM plans p JOIN alarms a ON a.plan_id = p.id AND a.alarm_id = p.trigger_alarm_id
      WHERE p.trigger_alarm_id = ANY($1::text[])`,
    [[...dueAt.keys()]],
  );
  const latencies: number[] = [];
  const stages: number[][] = [[], [], []];
  for (const plan of plans.rows) {
    const published = firstByPlan.get(plan.id);
    const due = dueAt.get(plan.alarm);
    if (published === undefined || due === undefined) continue;
    latencies.push(published - due);
    const received = plan.received.getTime();
    const created = plan.created.getTime();
    stages[0].push(received - due);
    stages[1].push(created - received);
    stages[2].push(published - created);
  }
  const names = ['to intake', 'to plan', 'to command'];
  const summary = stages
    .map((values, i) => {
      const p = percentiles(values);
      return `${names[i]} ${Math.round(p.p50)}/${Math.round(p.p99)}`;
    })
    .join(', ');
  return {
    ...percentiles(latencies),
    missing: dueAt.size - latencies.length,
    stages: `stages p50/p99 ms: ${summary}`,
  };
}
