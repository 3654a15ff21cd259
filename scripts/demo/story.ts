import type { AlarmV1, InstanceV1, InventoryV1 } from '@reflex/contracts';
import type { ActionV1, MigrateParams, PlanV1 } from '@reflex/contracts/plan.v1';
import { DEFAULT_LIFECYCLE_LIMITS } from '@reflex/domain';
import { cloudDifferences } from './cloud-diff';
import { describeAction, type PlanWatcher } from './plan-watcher';
import type { ReflexClient, TimelineEntry } from './reflex-client';
import type { Terminal } from './terminal';

/** The hosts and the instance the story uses, all from the demo topology. */
export const STORY = { failedHost: 'cmp-04', drainedHost: 'cmp-02', failingVm: 'app-04' };

/** Every try of the failing migration fails: the engine retries a retriable failure this often. */
const FAILING_TRIES = DEFAULT_LIFECYCLE_LIMITS.maxAttempts;
const PLAN_TIMEOUT_MS = 90_000;

export interface Check {
  what: string;
  ok: boolean;
  /** What was found instead, when not ok. */
  found?: string;
}

export interface StoryContext {
  client: ReflexClient;
  term: Terminal;
  watcher: PlanWatcher;
}

const MIGRATIONS = ['live-migrate', 'cold-migrate', 'evacuate'];
const names = (items: Array<{ id: string }>) => items.map((i) => i.id).join(', ');

/** What the story expects of this inventory, worked out before anything happens. */
export function expectations(inv: InventoryV1) {
  const on = (hostId: string) => inv.instances.filter((i) => i.hostId === hostId);
  const standbyFor = (active: InstanceV1) =>
    inv.instances.find(
      (i) =>
        i.groupId === active.groupId &&
        i.role === 'standby' &&
        i.state === 'running' &&
        i.hostId !== active.hostId,
    );
  const failed = on(STORY.failedHost);
  const switchOvers = failed
    .filter((i) => i.role === 'active' && standbyFor(i))
    .map((i) => ({ from: i, to: standbyFor(i)! }));
  const drained = on(STORY.drainedHost).filter((i) => i.kind === 'vm');
  return {
    failed,
    switchOvers,
    evacuated: failed.filter((i) => i.kind === 'vm'),
    moved: drained.filter((i) => i.id !== STORY.failingVm),
  };
}

/** The outcome, announced before the story starts, so that the end can be checked against it. */
export function announcement(inv: InventoryV1): string[] {
  const e = expectations(inv);
  const swaps = e.switchOvers.map((s) => `${s.from.groupId} from ${s.from.id} to ${s.to.id}`);
  return [
    'What will happen, and what must come out of it:',
    '',
    `  1. ${STORY.failedHost} fails (${names(e.failed)} go down with it) and monitoring reports`,
    `     host.down. Expected: one host-failover plan fences ${STORY.failedHost}, marks it down,`,
    `     switches over ${swaps.join(' and ')},`,
    `     and evacuates ${names(e.evacuated)}; the plan succeeds and the`,
    '     simulated cloud ends exactly as the inventory says.',
    '',
    `  2. Maintenance is requested on ${STORY.drainedHost} while every live migration of ${STORY.failingVm}`,
    `     is set to fail half-way. Expected: a host-drain plan disables ${STORY.drainedHost} and moves`,
    `     ${names(e.moved)} away; ${STORY.failingVm} fails ${FAILING_TRIES} times, each try rolled back by its fail path`,
    `     (destination cleaned up, ${STORY.failingVm} keeps running on ${STORY.drainedHost}); the drain stops, as its rule`,
    `     says (onFailure: stop): plan failed, ${STORY.drainedHost} left disabled, not in maintenance.`,
    '',
  ];
}

function alarm(type: string, kind: 'host' | 'instance', id: string): AlarmV1 {
  return {
    id: `demo-${type}-${id}-${Date.now().toString(36)}`,
    source: 'demo-monitoring',
    type,
    severity: 'critical',
    state: 'firing',
    resource: { kind, id },
    occurredAt: new Date().toISOString(),
  };
}

/**
 * Explains a failed migration as it is printed: the driver ran its fail path, and the cloud shows
 * the instance back where it was.
 */
export function failPathNarrator(ctx: Pick<StoryContext, 'client' | 'term'>) {
  return async (entry: TimelineEntry, action: ActionV1 | undefined): Promise<void> => {
    if (entry.type !== 'action.state' || entry.to !== 'failed' || !action) return;
    if (!MIGRATIONS.includes(action.type)) return;
    const p = action.params as MigrateParams;
    const calls = await ctx.client.simCalls();
    const undone = calls.some(
      (c) =>
        c.actionId === action.id &&
        c.attempt === entry.detail.attempt &&
        c.method === 'failPath' &&
        c.outcome === 'done',
    );
    // Its state may already be `migrating` again: the retry starts as soon as the failure is in.
    const vm = (await ctx.client.simState()).instances.find((i) => i.id === p.instanceId);
    const where = vm ? `${vm.id} is still on ${vm.hostId}` : `${p.instanceId} is gone`;
    const path = undone ? `destination ${p.toHostId} cleaned up` : 'nothing to undo';
    ctx.term.line(ctx.term.color('dim', `                  fail path (driver): ${path}; ${where}`));
  };
}

export async function hostFailure(ctx: StoryContext, before: InventoryV1): Promise<Check[]> {
  const { client, term } = ctx;
  const e = expectations(before);
  term.line(term.color('bold', `── 1. ${STORY.failedHost} fails ──`));
  const outage = await client.failHost(STORY.failedHost);
  term.line(`cloud:  ${STORY.failedHost} fails; down with it: ${names(outage.instances)}`);
  const intake = await client.alarm(alarm('host.down', 'host', STORY.failedHost));
  term.line(`alarm:  host.down ${STORY.failedHost} → ${intake.disposition}, plan ${intake.planId}`);
  // Monitoring also notices the instances; those alarms belong to the host's and start nothing.
  const echo = e.switchOvers[0]?.from ?? e.failed[0];
  const correlated = await client.alarm(alarm('instance.down', 'instance', echo.id));
  term.line(`alarm:  instance.down ${echo.id} → ${correlated.disposition} (${correlated.reason})`);
  if (!intake.planId)
    return [{ what: 'host.down starts a plan', ok: false, found: intake.reason ?? undefined }];

  const plan = await ctx.watcher.finished(intake.planId, PLAN_TIMEOUT_MS);
  const after = await client.inventory();
  const cloud = await client.simState();
  const find = (inv: InventoryV1, id: string) => inv.instances.find((i) => i.id === id);
  const checks: Check[] = [
    check(`the host-failover plan succeeded`, plan.state === 'succeeded', plan.state),
    check(
      `the instance.down alarm of ${echo.id} was correlated to the host's plan, no plan of its own`,
      correlated.disposition === 'correlated' && correlated.planId === intake.planId,
      `${correlated.disposition}, plan ${correlated.planId}`,
    ),
  ];
  for (const { from, to } of e.switchOvers) {
    const now = find(after, to.id);
    checks.push(
      check(
        `${from.groupId}: ${to.id} switched over to active in place of ${from.id}`,
        hasAction(plan, 'switch-over', to.id) && now?.role === 'active',
        `role ${now?.role}`,
      ),
    );
  }
  for (const vm of e.evacuated) {
    const real = find(cloud, vm.id);
    checks.push(
      check(
        `${vm.id} evacuated off ${STORY.failedHost}, running`,
        real !== undefined && real.hostId !== STORY.failedHost && real.state === 'running',
        real ? `${real.state} on ${real.hostId}` : 'missing',
      ),
    );
  }
  checks.push(sameCloud(cloud, after));
  return checks;
}

export async function maintenanceDrain(ctx: StoryContext, before: InventoryV1): Promise<Check[]> {
  const { client, term } = ctx;
  const e = expectations(before);
  term.line();
  term.line(
    term.color(
      'bold',
      `── 2. Maintenance on ${STORY.drainedHost}; ${STORY.failingVm} will not migrate ──`,
    ),
  );
  await client.fault({
    action: 'live-migrate',
    instanceId: STORY.failingVm,
    effect: 'fail',
    count: FAILING_TRIES,
  });
  term.line(
    `cloud:  the next ${FAILING_TRIES} live migrations of ${STORY.failingVm} will fail half-way`,
  );
  const intake = await client.maintenance(STORY.drainedHost, 'demo: firmware upgrade');
  term.line(
    `maintenance requested on ${STORY.drainedHost} → ${intake.disposition}, plan ${intake.planId}`,
  );
  if (!intake.planId)
    return [{ what: 'maintenance starts a plan', ok: false, found: intake.reason ?? undefined }];

  const plan = await ctx.watcher.finished(intake.planId, PLAN_TIMEOUT_MS);
  await client.clearFaults();
  const after = await client.inventory();
  const cloud = await client.simState();
  const failing = plan.actions.find(
    (a) => a.type === 'live-migrate' && (a.params as MigrateParams).instanceId === STORY.failingVm,
  );
  const failPaths = (await client.simCalls()).filter(
    (c) => c.actionId === failing?.id && c.method === 'failPath' && c.outcome === 'done',
  );
  const host = (inv: InventoryV1) => inv.hosts.find((h) => h.id === STORY.drainedHost)?.status;
  const find = (inv: InventoryV1, id: string) => inv.instances.find((i) => i.id === id);
  const stays = find(cloud, STORY.failingVm);
  const last = plan.actions[plan.actions.length - 1];
  const checks: Check[] = [
    check('the host-drain plan stopped as failed', plan.state === 'failed', plan.state),
    check(
      `${STORY.failingVm}'s live migration failed after ${FAILING_TRIES} tries`,
      failing?.state === 'failed' && failing.attempts === FAILING_TRIES,
      `${failing?.state} after ${failing?.attempts}`,
    ),
    check(
      `each try was rolled back by the driver's fail path`,
      failPaths.length === FAILING_TRIES,
      `${failPaths.length} fail path(s)`,
    ),
    check(
      `${STORY.failingVm} keeps running on ${STORY.drainedHost}`,
      stays?.hostId === STORY.drainedHost &&
        stays.state === 'running' &&
        find(after, STORY.failingVm)?.hostId === STORY.drainedHost,
      `${stays?.state} on ${stays?.hostId}`,
    ),
  ];
  for (const vm of e.moved) {
    const real = find(cloud, vm.id);
    checks.push(
      check(
        `${vm.id} live-migrated off ${STORY.drainedHost}, running`,
        real !== undefined && real.hostId !== STORY.drainedHost && real.state === 'running',
        real ? `${real.state} on ${real.hostId}` : 'missing',
      ),
    );
  }
  checks.push(
    check(
      `${STORY.drainedHost} stays disabled, not in maintenance (${describeAction(last)}: ${last.state})`,
      host(after) === 'disabled' && host(cloud) === 'disabled' && last.state === 'skipped',
      `inventory ${host(after)}, cloud ${host(cloud)}`,
    ),
    sameCloud(cloud, after),
  );
  return checks;
}

function hasAction(plan: PlanV1, type: string, instanceId: string): boolean {
  return plan.actions.some(
    (a) =>
      a.type === type &&
      a.state === 'succeeded' &&
      Object.values(a.params as unknown as Record<string, string>).includes(instanceId),
  );
}

function sameCloud(cloud: InventoryV1, inventory: InventoryV1): Check {
  const differences = cloudDifferences(cloud, inventory);
  return check(
    'the simulated cloud is exactly what the inventory says',
    differences.length === 0,
    differences.slice(0, 5).join('; '),
  );
}

function check(what: string, ok: boolean, found: string): Check {
  return ok ? { what, ok } : { what, ok, found };
}
