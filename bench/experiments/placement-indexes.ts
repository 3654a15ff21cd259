/**
 * What indexing the placement solver's two checks would save, measured without touching
 * libs/domain: `node -r @swc-node/register bench/experiments/placement-indexes.ts [--quick]`.
 *
 * PlacementSolver judges every host for every placement. Per host, `capacityCheck` sums the
 * resources of every instance on it (hostLoad), and `antiAffinityCheck` walks every member of the
 * group and looks up each member's host, for the zone even under host anti-affinity. This script
 * replaces the two methods, in this process only, with versions that compute those once: host
 * usage once per inventory view, the hosts and zones the other members occupy once per placement.
 * It times a failover and a drain plan both ways and checks the plans are the same.
 */
import { randomUUID } from 'node:crypto';
import type { HostV1, InstanceV1 } from '@reflex/contracts';
import {
  buildPlan,
  InventoryView,
  PlacementSolver,
  type PlanDraft,
  type PlanIntent,
  type Rejection,
} from '@reflex/domain';
import { FULL_PLANNER_CLOUD, plannerCloud } from '../support/planner-cloud';
import { median, timeSyncMs } from '../support/stats';

type Usage = { vcpus: number; memoryMb: number };
interface SolverInternals {
  view: InventoryView;
  config: { cpuOvercommit: number; memoryOvercommit: number };
  reserved: Map<string, Usage>;
  plannedHost: Map<string, string>;
  own: unknown[];
  locationOf(instance: InstanceV1): string;
}

const usageByView = new WeakMap<InventoryView, Map<string, Usage>>();

function usedOn(view: InventoryView, hostId: string): Usage {
  let byHost = usageByView.get(view);
  if (!byHost) usageByView.set(view, (byHost = new Map<string, Usage>()));
  let used = byHost.get(hostId);
  if (!used) {
    used = { vcpus: 0, memoryMb: 0 };
    for (const i of view.instancesOn(hostId)) {
      used.vcpus += i.resources.vcpus;
      used.memoryMb += i.resources.memoryMb;
    }
    byHost.set(hostId, used);
  }
  return used;
}

function indexedCapacityCheck(this: SolverInternals, instance: InstanceV1, host: HostV1) {
  const load = usedOn(this.view, host.id);
  const reserved = this.reserved.get(host.id) ?? { vcpus: 0, memoryMb: 0 };
  const reasons: Rejection[] = [];
  let loadAfter = 0;
  for (const dim of ['vcpus', 'memoryMb'] as const) {
    const ratio = dim === 'vcpus' ? this.config.cpuOvercommit : this.config.memoryOvercommit;
    const offered = host.capacity[dim] * ratio;
    const used = load[dim] + reserved[dim];
    const need = instance.resources[dim];
    const after = used + need;
    loadAfter = Math.max(loadAfter, offered > 0 ? after / offered : Number.POSITIVE_INFINITY);
    if (after > offered) {
      reasons.push({
        code: dim === 'vcpus' ? 'vcpus' : 'memory',
        message:
          `${dim}: needs ${need}, free ${offered - used} of ${offered} ` +
          `(${host.capacity[dim]} x ${ratio} overcommit; ${used} used incl. ${reserved[dim]} reserved)`,
      });
    }
  }
  return { reasons, loadAfter };
}

/** Where the other members are, per (instance, placements made so far): one walk per placement. */
const occupiedCache = new WeakMap<object, { key: string; byHost: Map<string, string[]> }>();

function indexedAntiAffinityCheck(this: SolverInternals, instance: InstanceV1, host: HostV1) {
  const group = this.view.groupOf(instance);
  if (!group || group.antiAffinity === 'none') return [];
  const key = `${instance.id}#${this.own.length}`;
  let cached = occupiedCache.get(this);
  if (cached?.key !== key) {
    const byHost = new Map<string, string[]>();
    for (const member of this.view.members(group.id)) {
      if (member.id === instance.id) continue;
      const where = this.locationOf(member);
      const place = group.antiAffinity === 'host' ? where : (this.view.host(where)?.zone ?? '');
      byHost.set(place, [...(byHost.get(place) ?? []), `${member.id}@${where}`]);
    }
    cached = { key, byHost };
    occupiedCache.set(this, cached);
  }
  const place = group.antiAffinity === 'host' ? host.id : host.zone;
  return (cached.byHost.get(place) ?? []).map((m): Rejection => {
    const [id, where] = m.split('@');
    return group.antiAffinity === 'host'
      ? {
          code: 'anti-affinity-host',
          message: `anti-affinity (host): group ${group.id} member ${id} is or will be on ${where}`,
        }
      : {
          code: 'anti-affinity-zone',
          message: `anti-affinity (zone): group ${group.id} member ${id} is or will be in ${place} (${where})`,
        };
  });
}

function intent(policy: 'host-failover' | 'host-drain', hostId: string): PlanIntent {
  return {
    policy,
    target: { kind: 'host', id: hostId },
    mode: 'auto',
    onFailure: 'continue',
    rule: { name: 'experiment', version: 1, hash: 'x' },
    alarm: { id: 'a', source: 'experiment', type: 'host.down' },
  };
}

const shape = (d: PlanDraft) =>
  JSON.stringify(d.actions.map((a) => ({ type: a.type, params: a.params, seq: a.seq })));

function main(): void {
  const quick = process.argv.includes('--quick');
  const cloud = plannerCloud(
    quick
      ? { hosts: 2000, instances: 40000, groups: 1000, bigHostInstances: 100 }
      : FULL_PLANNER_CLOUD,
  );
  const view = new InventoryView(cloud.inventory);
  const config = { placement: { cpuOvercommit: 4, memoryOvercommit: 1 } };
  const run = (policy: 'host-failover' | 'host-drain', host: string) => {
    const make = () =>
      buildPlan(intent(policy, host), view, { reservations: [] }, config, randomUUID);
    make();
    const times = [0, 1, 2].map(() => timeSyncMs(make));
    return { ms: median(times.map((t) => t.ms)), plan: shape(times[0].value) };
  };
  const proto = PlacementSolver.prototype as unknown as Record<string, unknown>;
  for (const [policy, host] of [
    ['host-failover', cloud.failoverHost],
    ['host-drain', cloud.drainHost],
  ] as const) {
    const original = { cap: proto.capacityCheck, aa: proto.antiAffinityCheck };
    const before = run(policy, host);
    proto.capacityCheck = indexedCapacityCheck;
    proto.antiAffinityCheck = indexedAntiAffinityCheck;
    const after = run(policy, host);
    proto.capacityCheck = original.cap;
    proto.antiAffinityCheck = original.aa;
    console.log(
      `${policy}: ${before.ms.toFixed(0)} ms as shipped, ${after.ms.toFixed(0)} ms with the checks indexed; ` +
        `same plan: ${before.plan === after.plan}`,
    );
  }
}

main();
