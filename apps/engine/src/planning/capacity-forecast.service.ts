import { Inject, Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { ValidationError } from '@reflex/common';
import {
  FAILURE_DOMAIN_KINDS,
  failureDomainOf,
  inFlightFromPlans,
  type CapacityForecast,
  type FailureDomainKind,
  type PlanningConfig,
} from '@reflex/domain';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { CapacityForecastRunner } from './capacity-forecast.runner';
import { PLANNING_CONFIG } from '../plans/plan-lifecycle';
import { PlanRepository } from '../plans/plan.repository';

/** The domain kind a caller asked for, or a 400 naming `domain`. */
export function domainKind(value: unknown): FailureDomainKind {
  if (typeof value === 'string' && (FAILURE_DOMAIN_KINDS as readonly string[]).includes(value)) {
    return value as FailureDomainKind;
  }
  throw new ValidationError(`domain must be one of ${FAILURE_DOMAIN_KINDS.join(', ')}`, [
    { path: 'domain', message: `must be one of ${FAILURE_DOMAIN_KINDS.join(', ')}` },
  ]);
}

/**
 * Failover capacity (CONTRACT §10): the live plans and the inventory read as planning reads them
 * (plans first, so a move finishing in between counts twice rather than never), in one
 * repeatable-read transaction, and handed to the pure forecast on the worker thread. Nothing is
 * stored or locked: the planning lock is not taken, so a forecast never delays a real failover.
 */
@Injectable()
export class CapacityForecastService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly plans: PlanRepository,
    private readonly inventory: InventorySnapshots,
    private readonly runner: CapacityForecastRunner,
    @Inject(PLANNING_CONFIG) private readonly config: PlanningConfig,
  ) {}

  async forecast(kind: FailureDomainKind): Promise<CapacityForecast> {
    return (await this.forecasts([kind])).forecasts[0];
  }

  /**
   * One read, one worker request: the forecasts in the order of `kinds`, and the first host (by id,
   * not down) of each domain, that the capacity alarms name as their resource.
   */
  async forecasts(kinds: readonly FailureDomainKind[]): Promise<{
    forecasts: CapacityForecast[];
    firstHostOf(kind: FailureDomainKind, domain: string): string | undefined;
  }> {
    const { inventory, inFlight, firstHosts } = await this.uow.transaction(async () => {
      const live = await this.plans.listLive();
      const view = await this.inventory.view();
      const firstHosts = new Map<string, string>();
      for (const host of view.hosts()) {
        if (host.status === 'down') continue;
        for (const kind of kinds) {
          const key = `${kind}\u0000${failureDomainOf(host, kind)}`;
          if (!firstHosts.has(key)) firstHosts.set(key, host.id);
        }
      }
      return { inventory: view.inventory, inFlight: inFlightFromPlans(live, view), firstHosts };
    }, 'REPEATABLE READ');
    const forecasts = await this.runner.run({ inventory, inFlight, kinds, config: this.config });
    return {
      forecasts,
      firstHostOf: (kind, domain) => firstHosts.get(`${kind}\u0000${domain}`),
    };
  }
}
