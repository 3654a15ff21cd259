import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { capacityAlarms, FAILURE_DOMAIN_KINDS } from '@reflex/domain';
import { MetricsRegistry } from '@reflex/platform';
import { Counter, Gauge } from 'prom-client';
import { CapacityForecastService } from '../planning/capacity-forecast.service';
import { CapacityAlarmRepository } from './capacity-alarm.repository';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';

/**
 * The capacity forecast as a continuous watch (CONTRACT §10): every CAPACITY_METRIC_SECONDS, the
 * host, rack and zone forecasts of the current inventory and live plans (on the forecast worker,
 * off the event loop) set `reflex_failover_unsurvivable_domains`, and each domain that became
 * unsurvivable, or survivable again, is raised into Reflex's own intake as a `capacity.unsurvivable`
 * alarm, firing or resolved, to be routed by rules like any other alarm. Which alarms are open is
 * read from the alarms table each round, so a restart, or a second replica, carries on from there
 * (a replica repeating a firing alarm is stored as a duplicate of it).
 *
 * Rounds never overlap: the next is scheduled when one ends. The first comes one period after
 * start, not at start, so a fresh engine is not slowed down by one.
 */
@Injectable()
export class CapacityWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('capacity');
  private readonly periodMs: number;
  private readonly gauge: Gauge<'domain'> | undefined;
  private readonly rounds: Counter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly forecasts: CapacityForecastService,
    private readonly alarms: CapacityAlarmRepository,
    private readonly intake: IngestAlarmUseCase,
    @Inject(ENGINE_CONFIG) engine: EngineConfig,
    metrics: MetricsRegistry,
  ) {
    this.periodMs = engine.capacityMetricSeconds * 1000;
    if (!this.periodMs) return;
    this.gauge = new Gauge({
      name: 'reflex_failover_unsurvivable_domains',
      help: 'Failure domains (host, rack, zone) whose loss now would leave instances unplaced',
      labelNames: ['domain'],
      registers: [metrics.registry],
    });
    this.rounds = new Counter({
      name: 'reflex_capacity_watch_rounds_total',
      help: 'Rounds of the capacity watch completed (forecasts, gauge and alarms)',
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    if (this.periodMs) this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: forecasts, gauge, alarms. */
  async watch(): Promise<void> {
    const { forecasts, firstHostOf } = await this.forecasts.forecasts(FAILURE_DOMAIN_KINDS);
    for (const { domain, summary } of forecasts) {
      this.gauge?.set({ domain }, summary.domains - summary.survivable);
    }
    const open = await this.alarms.open();
    const alarms = capacityAlarms(forecasts, open, firstHostOf, new Date());
    // The intake logs each decision, with the plan the rules made of it.
    if (alarms.length) {
      await this.intake.executeBatch(
        alarms.map((alarm) => ({ alarm, payload: alarm, channel: 'capacity-watch' as const })),
      );
    }
    this.rounds?.inc();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.watch()
        .catch((error: unknown) =>
          this.logger.warn(`capacity watch round failed: ${(error as Error).message}`),
        )
        .finally(() => this.schedule());
    }, this.periodMs);
    this.timer.unref();
  }
}
