import { Inject, Injectable } from '@nestjs/common';
import { ValidationError } from '@reflex/common';
import {
  FAILURE_DOMAIN_KINDS,
  forecastCapacity,
  inFlightFromPlans,
  type CapacityForecast,
  type FailureDomainKind,
  type PlanningConfig,
} from '@reflex/domain';
import { MetricsRegistry } from '@reflex/platform';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { InventorySnapshots } from '../inventory/inventory-snapshots';
import { PLANNING_CONFIG } from './plan-lifecycle';
import { PlanRepository } from './plan.repository';

/** How long /metrics may show a forecast: a scrape every few seconds must not replan the cloud. */
export const FORECAST_METRIC_TTL_MS = 5_000;

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
 * repeatable-read transaction, and handed to the pure forecast. Nothing is stored or locked: the
 * planning lock is not taken, so a forecast never delays a real failover.
 */
@Injectable()
export class CapacityForecastService {
  private readonly kept = new Map<
    FailureDomainKind,
    { at: number; forecast: Promise<CapacityForecast> }
  >();

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlanRepository,
    private readonly inventory: InventorySnapshots,
    @Inject(PLANNING_CONFIG) private readonly config: PlanningConfig,
    metrics: MetricsRegistry,
  ) {
    const recent = (kind: FailureDomainKind) => this.recent(kind);
    new Gauge({
      name: 'reflex_failover_unsurvivable_domains',
      help: 'Failure domains (host, rack, zone) whose loss now would leave instances unplaced',
      labelNames: ['domain'],
      registers: [metrics.registry],
      async collect() {
        for (const kind of FAILURE_DOMAIN_KINDS) {
          const { summary } = await recent(kind);
          this.set({ domain: kind }, summary.domains - summary.survivable);
        }
      },
    });
  }

  forecast(kind: FailureDomainKind): Promise<CapacityForecast> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const live = await this.plans.listLive(manager);
      const view = await this.inventory.view(manager);
      return forecastCapacity(view, inFlightFromPlans(live, view), kind, this.config);
    });
  }

  /** A forecast at most FORECAST_METRIC_TTL_MS old; concurrent scrapes share one computation. */
  private recent(kind: FailureDomainKind): Promise<CapacityForecast> {
    const kept = this.kept.get(kind);
    if (kept && Date.now() - kept.at < FORECAST_METRIC_TTL_MS) return kept.forecast;
    const forecast = this.forecast(kind);
    this.kept.set(kind, { at: Date.now(), forecast });
    forecast.catch(() => this.kept.delete(kind));
    return forecast;
  }
}
