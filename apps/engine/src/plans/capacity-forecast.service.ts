import { Inject, Injectable } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
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
  private readonly ttlMs: number;
  private readonly kept = new Map<
    FailureDomainKind,
    { at: number; forecast: Promise<CapacityForecast> }
  >();

  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlanRepository,
    private readonly inventory: InventorySnapshots,
    @Inject(PLANNING_CONFIG) private readonly config: PlanningConfig,
    @Inject(ENGINE_CONFIG) engine: EngineConfig,
    metrics: MetricsRegistry,
  ) {
    // The forecast plans every domain's failover on the event loop: 1.5-3.5 s per kind on 1,000
    // hosts and 17 s (rack) to 250 s (zone) on 10,000. Until it runs off the loop, the gauge is
    // opt-in (CAPACITY_METRIC_SECONDS) and recomputed at most that often, however often scraped.
    this.ttlMs = engine.capacityMetricSeconds * 1000;
    if (this.ttlMs === 0) return;
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

  /** A forecast at most CAPACITY_METRIC_SECONDS old; concurrent scrapes share one computation. */
  private recent(kind: FailureDomainKind): Promise<CapacityForecast> {
    const kept = this.kept.get(kind);
    if (kept && Date.now() - kept.at < this.ttlMs) return kept.forecast;
    const forecast = this.forecast(kind);
    this.kept.set(kind, { at: Date.now(), forecast });
    forecast.catch(() => this.kept.delete(kind));
    return forecast;
  }
}
