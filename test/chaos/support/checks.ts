// What must hold after chaos: every alarm stored exactly once, every plan final, no backend action
// run twice, the engine's inventory equal to the simulator's real state, no host over capacity, no
// group's anti-affinity broken, and nothing left half-published.
import type { AlarmV1, InventoryV1 } from '@reflex/contracts';
import { rackName } from '@reflex/domain';
import type { SimCall } from '../../../apps/driver/src/backends/simulator/simulator.state';
import { MAX_CALLS } from '../../../apps/driver/src/backends/simulator/simulator.state';
import { http } from '../../support/http';
import { waitFor } from '../../support/wait-for';
import { OVERCOMMIT } from './cloud';
import type { ChaosCluster } from './cluster';
import type { SimHostFailures } from './sim-host-failures';
import { messageKey, readableKey } from './storm';

export interface Verdict {
  /** Distinct alarm messages sent but not stored. */
  lost: number;
  /** Alarm rows beyond one per message, plus backend actions started (or migrations done) twice. */
  duplicated: number;
  alarms: number;
  plans: number;
  planStates: Record<string, number>;
  violations: string[];
}

const FINAL = ['succeeded', 'failed', 'rolled_back', 'cancelled', 'superseded', 'blocked'];
const MIGRATIONS = ['live-migrate', 'cold-migrate', 'evacuate'];

interface Backlog {
  stored: number;
  unfinishedPlans: number;
  waiting: number;
  outbox: number;
  driverOpen: number;
  driverUnpublished: number;
}

async function backlog(cluster: ChaosCluster): Promise<Backlog> {
  const [row] = await cluster.query<Record<keyof Backlog, string>>(
    `SELECT (SELECT count(*) FROM alarms) AS stored,
            (SELECT count(*) FROM plans WHERE state NOT IN (${FINAL.map((s) => `'${s}'`).join(',')})) AS "unfinishedPlans",
            (SELECT count(*) FROM deferred_intents WHERE resolved_at IS NULL) AS waiting,
            (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS outbox,
            (SELECT count(*) FROM driver_actions WHERE finished_at IS NULL) AS "driverOpen",
            (SELECT count(*) FROM driver_actions WHERE finished_at IS NOT NULL AND final_published_at IS NULL) AS "driverUnpublished"`,
  );
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, Number(v)]),
  ) as unknown as Backlog;
}

/**
 * Waits until the system is at rest: every distinct alarm stored, every plan final, no decision
 * waiting, the outbox and the driver's final events all published; then twice more, a second
 * apart, with nothing changed (a late event could still start something).
 */
export async function settle(
  cluster: ChaosCluster,
  expectedAlarms: number,
  timeoutMs: number,
): Promise<void> {
  let last = '';
  let stable = 0;
  await waitFor(
    'the system to settle',
    async () => {
      const b = await backlog(cluster);
      const quiet =
        b.stored >= expectedAlarms &&
        b.unfinishedPlans === 0 &&
        b.waiting === 0 &&
        b.outbox === 0 &&
        b.driverOpen === 0 &&
        b.driverUnpublished === 0;
      const now = JSON.stringify(b);
      stable = quiet && now === last ? stable + 1 : quiet ? 1 : 0;
      last = now;
      return stable >= 3;
    },
    { timeoutMs, intervalMs: 1000 },
  ).catch(async (error: Error) => {
    const b = await backlog(cluster).catch(() => null);
    const stuck = await cluster
      .query<{ id: string; state: string; policy: string; target_id: string; actions: string }>(
        `SELECT p.id, p.state, p.policy, p.target_id,
                string_agg(a.type || ':' || a.state || '#' || a.attempts, ' ' ORDER BY a.seq) AS actions
           FROM plans p LEFT JOIN actions a ON a.plan_id = p.id
          WHERE p.state NOT IN (${FINAL.map((s) => `'${s}'`).join(',')})
          GROUP BY p.id LIMIT 10`,
      )
      .catch(() => []);
    throw new Error(
      `${error.message}; backlog ${JSON.stringify(b)}; unfinished plans ${JSON.stringify(stuck)}; ` +
        `database ${cluster.database.name}`,
    );
  });
}

/** The checks of issue 9, on a settled system. */
export async function verify(
  cluster: ChaosCluster,
  sent: ReadonlyMap<string, AlarmV1>,
  sim: SimHostFailures,
): Promise<Verdict> {
  const violations: string[] = [];
  const note = (what: string, items: string[]) => {
    if (items.length) violations.push(`${what} (${items.length}): ${items.slice(0, 8).join('; ')}`);
  };

  // Every alarm stored exactly once.
  const rows = await cluster.query<{
    source: string;
    alarm_id: string;
    state: string;
    occurred_at: Date;
    n: string;
  }>(`SELECT source, alarm_id, state, occurred_at, count(*) AS n FROM alarms GROUP BY 1, 2, 3, 4`);
  const stored = new Map(
    rows.map((r) => [
      messageKey({
        source: r.source,
        id: r.alarm_id,
        state: r.state as 'firing',
        occurredAt: r.occurred_at.toISOString(),
      }),
      Number(r.n),
    ]),
  );
  let lost = 0;
  let duplicated = 0;
  for (const key of sent.keys()) {
    const n = stored.get(key) ?? 0;
    if (n === 0) lost += 1;
    if (n > 1) duplicated += n - 1;
  }
  note(
    'alarm rows nobody sent',
    [...stored.keys()].filter((k) => !sent.has(k)).map((k) => readableKey(k)),
  );
  const undecided = await cluster.query<{ n: string }>(
    `SELECT count(*) AS n FROM alarms WHERE disposition = 'received'`,
  );
  if (Number(undecided[0].n) > 0)
    violations.push(`${undecided[0].n} alarm(s) stored but never decided`);
  const alarms = rows.reduce((sum, r) => sum + Number(r.n), 0);

  // Every plan in a final state.
  const states = await cluster.query<{ state: string; n: string }>(
    `SELECT state, count(*) AS n FROM plans GROUP BY state`,
  );
  const planStates = Object.fromEntries(states.map((s) => [s.state, Number(s.n)]));
  note(
    'plans not final',
    states.filter((s) => !FINAL.includes(s.state)).map((s) => `${s.n} ${s.state}`),
  );
  const plans = states.reduce((sum, s) => sum + Number(s.n), 0);

  // No backend action run twice.
  const driver = cluster.driver();
  if (!driver) throw new Error('no driver running to read the simulator from');
  const calls = (await http<{ items: SimCall[] }>('GET', `${driver.url}/v1/sim/calls`)).body.items;
  if (calls.length >= MAX_CALLS)
    violations.push(`the simulator call log is full (${calls.length}); checks are incomplete`);
  const starts = new Map<string, number>();
  for (const c of calls.filter((c) => c.method === 'start' && c.outcome === 'started')) {
    const key = `${c.actionId}#${c.attempt}`;
    starts.set(key, (starts.get(key) ?? 0) + 1);
  }
  const twice = [...starts].filter(([, n]) => n > 1);
  duplicated += twice.reduce((sum, [, n]) => sum + n - 1, 0);
  note(
    'actions started twice',
    twice.map(([k, n]) => `${k} x${n}`),
  );
  const migrated = new Map<string, number>();
  for (const op of await sim.operations()) {
    if (MIGRATIONS.includes(op.type) && op.status === 'succeeded') {
      migrated.set(op.actionId, (migrated.get(op.actionId) ?? 0) + 1);
    }
  }
  const migratedTwice = [...migrated].filter(([, n]) => n > 1);
  duplicated += migratedTwice.reduce((sum, [, n]) => sum + n - 1, 0);
  note(
    'actions that migrated twice',
    migratedTwice.map(([k, n]) => `${k} x${n}`),
  );
  const dispatched = new Map(
    (await cluster.query<{ id: string; attempts: number }>(`SELECT id, attempts FROM actions`)).map(
      (a) => [a.id, a.attempts],
    ),
  );
  note(
    'backend calls the engine never dispatched',
    [...starts.keys()].filter((k) => {
      const [id, attempt] = k.split('#');
      return (dispatched.get(id) ?? 0) < Number(attempt);
    }),
  );

  // The inventory equals the simulator's real state, and respects capacity and anti-affinity.
  const engine = cluster.engine();
  if (!engine) throw new Error('no engine running to read the inventory from');
  const inventory = (await http<InventoryV1>('GET', `${engine.url}/v1/inventory`)).body;
  const real = (await http<InventoryV1>('GET', `${driver.url}/v1/sim/state`)).body;
  note('inventory differs from the simulator', compareInventories(inventory, real));
  note('hosts over capacity', overCapacity(inventory));
  note('anti-affinity broken', antiAffinityBroken(inventory));

  note('processes that crashed', cluster.crashes());
  return { lost, duplicated, alarms, plans, planStates, violations };
}

export function compareInventories(engine: InventoryV1, real: InventoryV1): string[] {
  const diffs: string[] = [];
  const realHosts = new Map(real.hosts.map((h) => [h.id, h]));
  for (const h of engine.hosts) {
    const r = realHosts.get(h.id);
    if (!r) diffs.push(`host ${h.id} missing in the simulator`);
    else if (r.status !== h.status && !(h.status === 'disabled' && r.status === 'up'))
      // A host a move found unusable is `disabled` until the inventory or an alarm says it is up
      // (CONTRACT §9), though the cloud may have taken it back by then (a drain's destination in
      // maintenance, restored after the refusal was sent): the engine is cautious, not wrong.
      diffs.push(`host ${h.id}: engine ${h.status}, real ${r.status}`);
  }
  const realInstances = new Map(real.instances.map((i) => [i.id, i]));
  for (const i of engine.instances) {
    const r = realInstances.get(i.id);
    if (!r) {
      diffs.push(`instance ${i.id} missing in the simulator`);
      continue;
    }
    for (const field of ['hostId', 'role', 'state'] as const) {
      if ((i[field] ?? null) !== (r[field] ?? null)) {
        diffs.push(`instance ${i.id} ${field}: engine ${i[field]}, real ${r[field]}`);
      }
    }
  }
  if (real.instances.length !== engine.instances.length) {
    diffs.push(`${engine.instances.length} instances in the engine, ${real.instances.length} real`);
  }
  return diffs;
}

export function overCapacity(inventory: InventoryV1): string[] {
  return inventory.hosts.flatMap((h) => {
    const on = inventory.instances.filter((i) => i.hostId === h.id);
    const vcpus = on.reduce((s, i) => s + i.resources.vcpus, 0);
    const memoryMb = on.reduce((s, i) => s + i.resources.memoryMb, 0);
    return vcpus > h.capacity.vcpus * OVERCOMMIT.cpu ||
      memoryMb > h.capacity.memoryMb * OVERCOMMIT.memory
      ? [`${h.id}: ${vcpus} vcpus, ${memoryMb} MB`]
      : [];
  });
}

export function antiAffinityBroken(inventory: InventoryV1): string[] {
  const hostOf = new Map(inventory.hosts.map((h) => [h.id, h]));
  return inventory.groups.flatMap((g) => {
    if (g.antiAffinity === 'none') return [];
    const members = inventory.instances.filter((i) => i.groupId === g.id);
    const places = members.map((m) => {
      const host = hostOf.get(m.hostId);
      if (g.antiAffinity === 'host' || !host) return m.hostId;
      return g.antiAffinity === 'rack' ? rackName(host) : host.zone;
    });
    return new Set(places).size === places.length
      ? []
      : [`${g.id} (${g.antiAffinity}): ${places.join(', ')}`];
  });
}

/** Resources two live plans work on at once (sampled during a storm with replicas). */
export async function liveOverlaps(cluster: ChaosCluster): Promise<string[]> {
  const rows = await cluster.query<{ plan_id: string; resource: string }>(
    `SELECT DISTINCT p.id AS plan_id, r.resource FROM plans p
       JOIN LATERAL (
         SELECT p.target_kind || ':' || p.target_id AS resource
         UNION SELECT 'instance:' || x FROM actions a,
           LATERAL (VALUES (a.params->>'instanceId'), (a.params->>'fromInstanceId'), (a.params->>'toInstanceId')) v(x)
           WHERE a.plan_id = p.id AND x IS NOT NULL AND a.state IN ('pending', 'running')
         UNION SELECT 'host:' || (a.params->>'hostId') FROM actions a
           WHERE a.plan_id = p.id AND a.params ? 'hostId' AND a.state IN ('pending', 'running')
       ) r ON true
     WHERE p.state IN ('pending_approval', 'pending', 'running', 'rolling_back') AND p.policy <> 'notify'`,
  );
  const holders = new Map<string, string[]>();
  for (const r of rows) holders.set(r.resource, [...(holders.get(r.resource) ?? []), r.plan_id]);
  return [...holders]
    .filter(([, plans]) => plans.length > 1)
    .map(([res, plans]) => `${res}: ${plans.join(', ')}`);
}
