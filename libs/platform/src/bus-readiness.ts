import type { MessageBus, SubscriptionStatus } from '@reflex/messaging';
import type { ReadinessCheck } from './readiness';

/** A subscription that has been down longer than the grace, as `/readyz` shows it. */
function overdue(
  subscriptions: SubscriptionStatus[],
  graceMs: number,
  now: number,
): SubscriptionStatus[] {
  return subscriptions.filter(
    (s) => !s.connected && s.downSince !== null && now - s.downSince.getTime() > graceMs,
  );
}

/**
 * Ready when the broker answers and no subscription has been down longer than `graceMs`. A
 * consumer that is reconnecting is not a failure at once (a rebalance or a broker restart takes
 * seconds), but one that stays down means the service takes work it cannot finish: an engine that
 * hears no driver events leaves every plan waiting, so it must stop looking healthy.
 */
export function busReadiness(name: string, bus: MessageBus, graceMs: number): ReadinessCheck {
  return {
    name,
    check: async () =>
      overdue(bus.subscriptions(), graceMs, Date.now()).length === 0 && (await bus.isHealthy()),
    detail: () => {
      const now = Date.now();
      const down = overdue(bus.subscriptions(), graceMs, now);
      if (down.length === 0) return undefined;
      return {
        consumersDown: down.map((s) => ({
          group: s.group,
          topic: s.topic,
          downSeconds: Math.round((now - s.downSince!.getTime()) / 1000),
          reason: s.reason,
        })),
      };
    },
  };
}
