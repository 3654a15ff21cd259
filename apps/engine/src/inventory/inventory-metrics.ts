import { Injectable } from '@nestjs/common';
import { HOST_STATUSES } from '@reflex/contracts';
import { MetricsRegistry } from '@reflex/platform';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';

/**
 * The inventory's posture for Prometheus, read at each scrape: hosts by status and groups without
 * redundancy (`groups.degraded_since` is kept in step with every inventory change, so a count of it
 * is the redundancy of every group without recomputing any).
 */
@Injectable()
export class InventoryMetrics {
  constructor(metrics: MetricsRegistry, dataSource: DataSource) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'reflex_hosts',
      help: 'Hosts in the inventory, by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const rows: Array<{ status: string; n: number }> = await dataSource.query(
          `SELECT status, count(*)::int AS n FROM hosts GROUP BY status`,
        );
        for (const status of HOST_STATUSES) {
          this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
        }
      },
    });
    new Gauge({
      name: 'reflex_groups_not_redundant',
      help: 'Groups with fewer healthy actives or standbys than they want',
      registers,
      async collect() {
        const rows: Array<{ n: number }> = await dataSource.query(
          `SELECT count(*)::int AS n FROM groups WHERE degraded_since IS NOT NULL`,
        );
        this.set(rows[0]?.n ?? 0);
      },
    });
  }
}
