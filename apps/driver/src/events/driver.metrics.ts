import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@reflex/platform';
import { Counter, Gauge } from 'prom-client';

/** The driver's Prometheus metrics, on the process registry served at `/metrics`. */
@Injectable()
export class DriverMetrics {
  readonly commands: Counter<'kind' | 'outcome'>;
  readonly events: Counter<'status'>;
  readonly publishFailures: Counter;
  readonly running: Gauge<'backend'>;
  readonly takeovers: Counter;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.commands = new Counter({
      name: 'reflex_driver_commands_total',
      help: 'Driver commands handled, by kind and what the driver did with them',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.events = new Counter({
      name: 'reflex_driver_events_total',
      help: 'Driver events published, by status',
      labelNames: ['status'],
      registers,
    });
    this.publishFailures = new Counter({
      name: 'reflex_driver_event_publish_failures_total',
      help: 'Driver events the broker did not take (final ones are retried from the record)',
      registers,
    });
    this.running = new Gauge({
      name: 'reflex_driver_actions_running',
      help: 'Actions this replica is carrying out now',
      labelNames: ['backend'],
      registers,
    });
    this.takeovers = new Counter({
      name: 'reflex_driver_action_takeovers_total',
      help: 'Unfinished actions this replica took over (restart or an expired lease)',
      registers,
    });
  }
}
