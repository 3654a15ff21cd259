import type { ResourceRefV1 } from '@reflex/contracts';
import type { EntityManager } from 'typeorm';
import type { AlarmRepository } from './alarm.repository';

const key = (rule: string, kind: string, id: string) => `${rule}\u0000${kind}\u0000${id}`;

/**
 * When each rule last made a plan (not blocked) for the resources an intake batch is about, for
 * cooldowns: read once, on first use, under the planning lock (`serialize`), which the plan the
 * decision is about to make takes anyway. A concurrent batch's plan on the same target then cannot
 * slip in between the read and this batch's own plan. A target the batch's alarms do not name (a
 * rule may act on another resource) is read on its own.
 */
export class RecentPlans {
  private stored: Promise<Map<string, Date>> | null = null;
  private readonly named: Set<string>;

  constructor(
    private readonly manager: EntityManager,
    private readonly alarms: AlarmRepository,
    private readonly targets: readonly ResourceRefV1[],
    private readonly serialize: () => Promise<void>,
  ) {
    this.named = new Set(targets.map((t) => `${t.kind}\u0000${t.id}`));
  }

  async lastPlanAt(rule: string, kind: string, id: string): Promise<Date | null> {
    this.stored ??= this.serialize()
      .then(() => this.alarms.lastPlansOn(this.manager, this.targets))
      .then((rows) => new Map(rows.map((r) => [key(r.rule, r.kind, r.id), r.at])));
    const stored = await this.stored;
    if (this.named.has(`${kind}\u0000${id}`)) return stored.get(key(rule, kind, id)) ?? null;
    return this.alarms.lastPlanAt(this.manager, rule, kind, id);
  }
}
