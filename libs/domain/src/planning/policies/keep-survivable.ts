import type { InstanceV1, InventoryV1 } from '@reflex/contracts/inventory.v1';
import type {
  MigrateParams,
  SetHostStatusParams,
  SwitchOverParams,
} from '@reflex/contracts/plan.v1';
import { FAILURE_DOMAIN_KINDS, type FailureDomainKind } from '../../inventory/failure-domains';
import { InventoryView } from '../../inventory/inventory-view';
import { forecastCapacity, type ForecastItem } from '../capacity-forecast';
import type { PlanContext, PolicyOutcome } from '../plan-context';

/**
 * `params.keepSurvivable` ("host" | "rack" | "zone") on a host-drain or migrate-off (CONTRACT
 * §10): the plan is blocked, naming the domain, when once it is done the loss of some domain of
 * that kind that could be survived now no longer could. A domain already unsurvivable does not
 * block it: the plan did not make it so.
 *
 * "Done" is the inventory as the plan leaves it (moved instances on their destinations, switched
 * groups' roles swapped, hosts in the statuses it sets) with the other live plans' reservations.
 * The forecast is made once; only when it finds an unsurvivable domain is the current one made
 * too, to tell which of them the plan is to blame for. On a large cloud each is seconds of
 * planning (see the capacity bench), which is why it is a rule's choice.
 */
export function keepSurvivable(ctx: PlanContext): PolicyOutcome {
  const kind = ctx.param('keepSurvivable');
  if (kind === undefined) return undefined;
  if (!(FAILURE_DOMAIN_KINDS as readonly unknown[]).includes(kind)) {
    return { blocked: `keepSurvivable must be one of ${FAILURE_DOMAIN_KINDS.join(', ')}` };
  }
  const domain = kind as FailureDomainKind;
  const config = { placement: ctx.solver.config };
  const after = forecastCapacity(
    new InventoryView(afterPlan(ctx.view.inventory, ctx)),
    ctx.inFlight,
    domain,
    config,
  );
  const lost = after.items.filter((i) => !i.survivable);
  if (!lost.length) {
    ctx.check(`keepSurvivable ${domain}: every ${domain} can still be lost after this plan`);
    return undefined;
  }
  const before = forecastCapacity(ctx.view, ctx.inFlight, domain, config);
  const already = new Set(before.items.filter((i) => !i.survivable).map((i) => i.id));
  const caused = lost.filter((i) => !already.has(i.id));
  if (!caused.length) {
    ctx.check(
      `keepSurvivable ${domain}: ${lost.map((i) => i.id).join(', ')} cannot be lost, as before this plan`,
    );
    return undefined;
  }
  return { blocked: `keepSurvivable ${domain}: ${describe(domain, caused)}` };
}

function describe(kind: FailureDomainKind, caused: ForecastItem[]): string {
  const [first, ...others] = caused;
  const why = first.unplaced
    .slice(0, 2)
    .map((u) => u.reason)
    .join('; ');
  const more = others.length ? ` (also ${others.map((i) => i.id).join(', ')})` : '';
  return (
    `after this plan, losing ${kind} ${first.id} would leave ${first.unplaced.length} of ` +
    `${first.instances} instances unplaced: ${why}${more}`
  );
}

/** The inventory once the plan's actions are done. */
function afterPlan(inventory: InventoryV1, ctx: PlanContext): InventoryV1 {
  const statuses = new Map<string, SetHostStatusParams['status']>();
  const moved = new Map<string, string>();
  const roles = new Map<string, InstanceV1['role']>();
  for (const action of ctx.actions) {
    if (action.type === 'set-host-status') {
      const p = action.params as SetHostStatusParams;
      statuses.set(p.hostId, p.status);
    } else if (action.type === 'live-migrate' || action.type === 'cold-migrate') {
      const p = action.params as MigrateParams;
      moved.set(p.instanceId, p.toHostId);
    } else if (action.type === 'switch-over') {
      const p = action.params as SwitchOverParams;
      roles.set(p.fromInstanceId, 'standby');
      roles.set(p.toInstanceId, 'active');
    }
  }
  return {
    ...inventory,
    hosts: inventory.hosts.map((h) =>
      statuses.has(h.id) ? { ...h, status: statuses.get(h.id)! } : h,
    ),
    instances: inventory.instances.map((i) =>
      moved.has(i.id) || roles.has(i.id)
        ? { ...i, hostId: moved.get(i.id) ?? i.hostId, role: roles.get(i.id) ?? i.role }
        : i,
    ),
  };
}
