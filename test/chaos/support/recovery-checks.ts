// Issue 15's columns: what a storm left down, and why plans failed. Every instance must be running on
// a live host in the simulator's real state at the end, except one for which no capacity existed
// anywhere, named in a plan's reason; every failed plan must be explained by a fault the scenario
// injected.
import type { InventoryV1 } from '@reflex/contracts';
import type { ChaosCluster } from './cluster';

/**
 * Faults a scenario injects besides the storm's host failures (always counted): `interruptions`
 * (processes killed or stopped, the broker or the database cut: an action may miss its deadline or
 * be aborted), `sim-faults` (scripted simulator failures).
 */
export type InjectedFault = 'interruptions' | 'sim-faults';

export interface Recovery {
  /** The table's "left down" cell: the count, then those excused for want of capacity. */
  leftDown: string;
  /** The table's "failed plans" cell: the count, then the reasons tallied. */
  failedPlans: string;
  violations: string[];
}

interface FailedAction {
  type: string;
  state: string;
  error: string | null;
  params: Record<string, unknown>;
  unusable: string[] | null;
}

interface FailedPlan {
  id: string;
  policy: string;
  target_id: string;
  reason: string | null;
  failed: FailedAction[] | null;
}

const mentions = (text: string, id: string) =>
  new RegExp(`(^|[^\\w-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(text);
const NO_CAPACITY = /capacity|no host|no room|fits on no|cannot be placed/i;
const INTERRUPTION = /deadline|timeout|timed out|abort|interrupt|restart|unreachable|lost/i;

/** `evacuate host-unavailable`: what failed and the error's code, without ids. */
function failureKind(a: FailedAction): string {
  const code = a.error ? a.error.split(':')[0].trim().slice(0, 40) : a.state;
  return `${a.type} ${code}`;
}

/** The hosts a failed action depended on other than an evacuation's source (dead by premise). */
function hostsOf(a: FailedAction): string[] {
  const p = a.params;
  const hosts = [p.toHostId, p.hostId, ...(a.type === 'evacuate' ? [] : [p.fromHostId])];
  return [...hosts, ...(a.unusable ?? [])].filter((h): h is string => typeof h === 'string');
}

function explained(
  a: FailedAction,
  failedHosts: ReadonlySet<string>,
  faults: readonly InjectedFault[],
) {
  if (hostsOf(a).some((h) => failedHosts.has(h))) return true;
  const error = a.error ?? '';
  // An action that names no host (recover-instance, switch-over) failed on one the storm killed
  // when its error says so ("host-unavailable: host h7 of vm-3 is down").
  if ([...failedHosts].some((h) => mentions(error, h))) return true;
  if (faults.includes('interruptions') && (a.state === 'aborted' || INTERRUPTION.test(error)))
    return true;
  return faults.includes('sim-faults') && error.startsWith('simulated-failure');
}

/** "3: evacuate host-unavailable; 1: live-migrate simulated-failure x2" */
export function tally(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${n}: ${k}`)
    .join('; ');
}

export async function checkRecovery(
  cluster: ChaosCluster,
  real: InventoryV1,
  failedHosts: ReadonlySet<string>,
  faults: readonly InjectedFault[],
): Promise<Recovery> {
  const down = await leftDown(cluster, real);
  const failed = await failedPlans(cluster, failedHosts, faults);
  return {
    leftDown: down.cell,
    failedPlans: failed.cell,
    violations: [...down.violations, ...failed.violations],
  };
}

interface Cell {
  cell: string;
  violations: string[];
}

/** Instances not running on a live host in the simulator's real state. */
export async function leftDown(cluster: ChaosCluster, real: InventoryV1): Promise<Cell> {
  const violations: string[] = [];
  const reasons = (
    await cluster.query<{ reason: string }>(`SELECT reason FROM plans WHERE reason IS NOT NULL`)
  ).map((r) => r.reason);
  const hostStatus = new Map(real.hosts.map((h) => [h.id, h.status]));
  const down = real.instances.filter(
    (i) => i.state !== 'running' || (hostStatus.get(i.hostId) ?? 'down') === 'down',
  );
  const excused = down.filter((i) => reasons.some((r) => mentions(r, i.id) && NO_CAPACITY.test(r)));
  const unexcused = down.filter((i) => !excused.includes(i));
  if (unexcused.length) {
    const detail: string[] = [];
    for (const i of unexcused.slice(0, 8)) detail.push(await whyDown(cluster, i, hostStatus));
    violations.push(`instances left down (${unexcused.length}): ${detail.join('; ')}`);
  }
  const cell = excused.length
    ? `${down.length} (${excused.length} for want of capacity: ${excused.map((i) => i.id).join(', ')})`
    : String(down.length);
  return { cell, violations };
}

/** Plans ended failed, tallied; each must be explained by an injected fault. */
export async function failedPlans(
  cluster: ChaosCluster,
  failedHosts: ReadonlySet<string>,
  faults: readonly InjectedFault[],
): Promise<Cell> {
  const failed = await cluster.query<FailedPlan>(
    `SELECT p.id, p.policy, p.target_id, p.reason,
            json_agg(json_build_object('type', a.type, 'state', a.state, 'error', a.error,
              'params', a.params, 'unusable', a.unusable_host_ids))
              FILTER (WHERE a.state IN ('failed', 'aborted')) AS failed
       FROM plans p LEFT JOIN actions a ON a.plan_id = p.id
      WHERE p.state = 'failed' GROUP BY p.id ORDER BY p.id`,
  );
  const kinds: string[] = [];
  const unexplained: string[] = [];
  for (const plan of failed) {
    const actions = plan.failed ?? [];
    const own = [...new Set(actions.map(failureKind))].sort();
    kinds.push(own.length ? own.join(' + ') : 'no failed action');
    if (actions.length === 0 || !actions.every((a) => explained(a, failedHosts, faults))) {
      unexplained.push(
        `${plan.id} ${plan.policy} ${plan.target_id}: ${plan.reason ?? 'no reason'}`,
      );
    }
  }
  const violations = unexplained.length
    ? [
        `failed plans no injected fault explains (${unexplained.length}): ${unexplained.slice(0, 5).join(' | ')}`,
      ]
    : [];
  return { cell: failed.length ? `${failed.length} (${tally(kinds)})` : '0', violations };
}

/** An instance left down, with what the engine last did about it. */
async function whyDown(
  cluster: ChaosCluster,
  i: InventoryV1['instances'][number],
  hostStatus: ReadonlyMap<string, string>,
): Promise<string> {
  const [last] = await cluster.query<{
    type: string;
    state: string;
    error: string | null;
    plan: string;
    policy: string;
    plan_state: string;
  }>(
    `SELECT a.type, a.state, a.error, p.id AS plan, p.policy, p.state AS plan_state
       FROM actions a JOIN plans p ON p.id = a.plan_id
      WHERE $1 IN (a.params->>'instanceId', a.params->>'fromInstanceId', a.params->>'toInstanceId')
      ORDER BY a.created_at DESC, a.seq DESC LIMIT 1`,
    [i.id],
  );
  const where = `${i.state} on ${i.hostId} (${hostStatus.get(i.hostId) ?? 'unknown'})`;
  return last
    ? `${i.id} ${where}, last ${last.type} ${last.state}${last.error ? ` (${last.error})` : ''} in ${last.policy} plan ${last.plan} ${last.plan_state}`
    : `${i.id} ${where}, no action ever about it`;
}
