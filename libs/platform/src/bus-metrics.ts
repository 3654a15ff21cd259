import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_BUS, MessageBus } from '@reflex/messaging';
import { Gauge } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

/**
 * `reflex_consumer_lag{group,topic}`: how far each of this process's consumers is behind;
 * `reflex_consumer_connected{group,topic}`: 1 while it is joined and consuming, 0 while it reconnects.
 */
@Injectable()
export class BusMetrics {
  constructor(@Inject(MESSAGE_BUS) bus: MessageBus, metrics: MetricsRegistry) {
    new Gauge({
      name: 'reflex_consumer_lag',
      help: 'Messages on the topic not yet consumed by the group',
      labelNames: ['group', 'topic'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        // A scrape while the broker is away reports no lag rather than failing the whole scrape.
        const lags = await bus.consumerLag().catch(() => []);
        for (const l of lags) this.set({ group: l.group, topic: l.topic }, l.lag);
      },
    });
    new Gauge({
      name: 'reflex_consumer_connected',
      help: 'Whether the consumer group of this process is connected (1) or reconnecting (0)',
      labelNames: ['group', 'topic'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const s of bus.subscriptions()) {
          this.set({ group: s.group, topic: s.topic }, s.connected ? 1 : 0);
        }
      },
    });
  }
}
