import type { InstanceV1 } from '@reflex/contracts/inventory.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { failureDomainOf, type FailureDomainKind } from '../inventory/failure-domains';
import type { InventoryView } from '../inventory/inventory-view';
import { PlacementSolver } from '../placement/placement-solver';
import type { PlacementResult } from '../placement/placement.types';
import { SharedPools } from '../placement/shared-pools';
import { PlanContext } from './plan-context';
import type { InFlight, PlanIntent, PlanningConfig } from './plan-intent';
import { hostFailoverPolicy } from './policies/host-failover.policy';
import { leftOut } from './priority';

export interface ForecastItem {
  id: string;
  survivable: boolean;
  /** Instances on the domain's hosts that have not failed yet. */
  instances: number;
  /** Of those, the ones that would run again: moved elsewhere or replaced by a promoted standby. */
  placed: number;
  unplaced: { instanceId: string; reason: string }[];
  /** Groups left without a healthy standby the moment the domain fails. */
  redundancyLost: string[];
  placements: { instanceId: string; hostId: string }[];
  switchOvers: { groupId: string; fromInstanceId: string; toInstanceId: string }[];
}

export interface CapacityForecast {
  domain: FailureDomainKind;
  items: ForecastItem[];
  summary: { domains: number; survivable: number };
}

const FORECAST_RULE = { name: 'capacity-forecast', version: 0, hash: '' };

/**
 * "If this domain failed now, would everything on it run elsewhere?", for every domain of the kind
 * (CONTRACT §10). Plans exactly what a real failover would: all hosts of the domain go down at
 * once, then each host's host-failover plan is built in turn, seeing the in-flight reservations
 * and the placements of the domain's earlier hosts, as the planning lock would serialize them.
 * Hosts already down have failed already and belong to no domain here. Pure: nothing is stored.
 */
export function forecastCapacity(
  view: InventoryView,
  inFlight: InFlight,
  kind: FailureDomainKind,
  config: PlanningConfig,
): CapacityForecast {
  const domains = new Map<string, string[]>();
  for (const host of view.hosts()) {
    if (host.status === 'down') continue;
    const id = failureDomainOf(host, kind);
    const hosts = domains.get(id);
    if (hosts) hosts.push(host.id);
    else domains.set(id, [host.id]);
  }
  // One set of placement indexes for every domain: each fails its hosts on them, plans, and puts
  // them back (SharedPools), rather than copying them per plan and building them per domain.
  const pools = new SharedPools(view, config.placement);
  const standbys = healthyStandbys(view);
  const items = [...domains.keys()].sort().map((id) => {
    pools.fail(domains.get(id)!);
    try {
      return forecastDomain(view, { pools, standbys }, inFlight, id, domains.get(id)!, config);
    } finally {
      pools.reset();
    }
  });
  const survivable = items.filter((i) => i.survivable).length;
  return { domain: kind, items, summary: { domains: items.length, survivable } };
}

/**
 * What buildPlan does for each host-failover plan, without what the forecast does not read (the
 * resource sets and the explanation document), and with one solver carried from plan to plan.
 */
function forecastDomain(
  view: InventoryView,
  { pools, standbys }: { pools: SharedPools; standbys: HealthyStandbys },
  inFlight: InFlight,
  id: string,
  hostIds: readonly string[],
  config: PlanningConfig,
): ForecastItem {
  // One host: the failover policy itself treats its target as down, no need to copy the hosts.
  const failed = hostIds.length === 1 ? view : view.withHostsDown(hostIds);
  const ids = forecastIds();
  let planId = ids();
  let solver = new PlacementSolver(failed, config.placement, inFlight.reservations, planId, {
    shared: pools,
    explainPlaced: false,
  });
  let instances = 0;
  /** The groups with a member on the domain, gathered as its instances are gone through. */
  const groups = new Set<string>();
  const item: ForecastItem = {
    id,
    survivable: true,
    instances: 0,
    placed: 0,
    unplaced: [],
    redundancyLost: [],
    placements: [],
    switchOvers: [],
  };
  const promoted = new Set<string>();
  for (const [n, hostId] of hostIds.entries()) {
    if (n > 0) solver = solver.next((planId = ids()));
    const intent: PlanIntent = {
      policy: 'host-failover',
      target: { kind: 'host', id: hostId },
      mode: 'auto',
      onFailure: 'continue',
      rule: FORECAST_RULE,
      alarm: { id: `forecast:${id}`, source: 'reflex', type: 'host.down' },
    };
    const ctx = new PlanContext(planId, intent, failed, solver, inFlight, ids);
    hostFailoverPolicy(ctx);
    const saved = new Set<string>();
    for (const action of ctx.actions) {
      if (isType(action, 'switch-over')) {
        item.switchOvers.push({ ...action.params });
        promoted.add(action.params.toInstanceId);
        saved.add(action.params.fromInstanceId);
      } else if (isType(action, 'evacuate')) {
        item.placements.push({
          instanceId: action.params.instanceId,
          hostId: action.params.toHostId,
        });
        saved.add(action.params.instanceId);
      }
    }
    const tried = new Map<string, PlacementResult>();
    for (const p of ctx.placements) if (!tried.has(p.instanceId)) tried.set(p.instanceId, p);
    for (const instance of view.instancesOn(hostId)) {
      instances += 1;
      if (instance.groupId) groups.add(instance.groupId);
      if (saved.has(instance.id)) continue;
      const placement = tried.get(instance.id);
      const reason =
        placement && !placement.ok
          ? leftOut(view, instance, placement)
          : `${instance.id} is ${instance.kind} with no healthy standby outside ${id}`;
      item.unplaced.push({ instanceId: instance.id, reason });
    }
  }
  item.instances = instances;
  item.placed = item.instances - item.unplaced.length;
  item.survivable = item.unplaced.length === 0;
  item.redundancyLost = redundancyLost(failed, standbys, new Set(hostIds), groups, promoted);
  return item;
}

/**
 * Groups with a member on the domain that want standbys and would have none healthy left once it
 * fails: every standby on the domain, or promoted in place of an active, no longer counts. Members
 * re-placed elsewhere restore it later; until they run, the next failure is an outage.
 */
function redundancyLost(
  failed: InventoryView,
  standbys: HealthyStandbys,
  domainHosts: ReadonlySet<string>,
  groupIds: ReadonlySet<string>,
  promoted: ReadonlySet<string>,
): string[] {
  // Sorted once filtered: a rack has hundreds of groups on it and loses few.
  return [...groupIds]
    .filter((groupId) => {
      const group = failed.group(groupId);
      if (!group || group.standby === 0) return false;
      return !standbys(groupId).some((m) => !domainHosts.has(m.hostId) && !promoted.has(m.id));
    })
    .sort();
}

/** A group's standbys healthy before any domain fails (see healthyStandbys). */
type HealthyStandbys = (groupId: string) => readonly InstanceV1[];

/**
 * The standbys of each group healthy in the view, worked out once per forecast: a standby off
 * the failed domain is as healthy in the failed view as in this one (only the domain's hosts go
 * down), and one on it does not count. Asking the failed view member by member walked every
 * member of every group on every domain, a tenth of the rack forecast.
 */
function healthyStandbys(view: InventoryView): HealthyStandbys {
  const byGroup = new Map<string, InstanceV1[]>();
  return (groupId) => {
    let standbys = byGroup.get(groupId);
    if (!standbys) {
      standbys = view.members(groupId).filter((m) => m.role === 'standby' && view.isHealthy(m));
      byGroup.set(groupId, standbys);
    }
    return standbys;
  };
}

const isType = <T extends 'switch-over' | 'evacuate'>(a: ActionV1, type: T): a is ActionV1<T> =>
  a.type === type;

function forecastIds(): () => string {
  let n = 0;
  return () => `forecast-${++n}`;
}
