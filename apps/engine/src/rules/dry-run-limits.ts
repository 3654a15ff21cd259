import { PayloadTooLargeException } from '@nestjs/common';
import type { EngineConfig } from '@reflex/config';

/**
 * Most resources a posted dry-run inventory may hold: planning a failed host explains every
 * candidate for every move, so the work grows with hosts times instances. The body limit
 * (DRY_RUN_MAX_BYTES) bounds the bytes; these bound what a small body can still ask for.
 */
export const DRY_RUN_MAX_RESOURCES = { hosts: 1000, instances: 5000, groups: 1000 } as const;

/** 413 naming the list that is too long, before any of it is validated or evaluated. */
export function checkDryRunSize(inventory: unknown): void {
  if (typeof inventory !== 'object' || inventory === null) return;
  for (const [list, max] of Object.entries(DRY_RUN_MAX_RESOURCES)) {
    const items = (inventory as Record<string, unknown>)[list];
    if (!Array.isArray(items) || items.length <= max) continue;
    const message = `a dry run takes at most ${max} ${list}; got ${items.length}`;
    throw new PayloadTooLargeException({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: `/inventory/${list}: ${message}`,
        details: [{ path: `/inventory/${list}`, message }],
      },
    });
  }
}

/** The engine's per-route body limits (createHttpApp's `largeBodies`), for every way it starts. */
export function engineBodyLimits(config: Pick<EngineConfig, 'dryRunMaxBytes'>) {
  return [
    { path: '/v1/inventory', limit: '64mb' },
    { path: '/v1/rules/evaluate', limit: `${config.dryRunMaxBytes}b` },
    // Alertmanager posts a whole group in one body, and a group has no size limit: 2,000 alerts
    // with their labels and annotations are about 1.1 MB.
    { path: '/v1/alarms/alertmanager', limit: '8mb' },
    { path: '/v1/alarms/aodh', limit: '8mb' },
  ];
}
