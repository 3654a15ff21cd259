import type { ResourceRefV1 } from '@reflex/contracts';
import type { UnitOfWork } from '@reflex/persistence';

const key = (rule: string, kind: string, id: string) => `${rule}\u0000${kind}\u0000${id}`;

/**
 * When each rule last made a plan for the resources an intake batch is about, for cooldowns. Blocked
 * plans do not count: an alarm that comes again after "no capacity" deserves a new attempt.
 *
 * Read once, on first use, under the planning lock (`serialize`), which the plan the decision is
 * about to make takes anyway: a concurrent batch's plan on the same target cannot slip in between
 * the read and this batch's own plan. A target the batch's alarms do not name (a rule may act on
 * another resource) is read on its own.
 */
export class RecentPlans {
  private stored: Promise<Map<string, Date>> | null = null;
  private readonly named: Set<string>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly targets: readonly ResourceRefV1[],
    private readonly serialize: () => Promise<void>,
  ) {
    this.named = new Set(targets.map((t) => `${t.kind}\u0000${t.id}`));
  }

  async lastPlanAt(rule: string, kind: string, id: string): Promise<Date | null> {
    this.stored ??= this.serialize().then(() => this.readAll());
    const stored = await this.stored;
    if (this.named.has(`${kind}\u0000${id}`)) return stored.get(key(rule, kind, id)) ?? null;
    const rows: Array<{ at: Date | null }> = await this.uow.manager.query(
      `SELECT max(created_at) AS at FROM plans
        WHERE trigger_rule = $1 AND target_kind = $2 AND target_id = $3 AND state <> 'blocked'`,
      [rule, kind, id],
    );
    return rows[0]?.at ?? null;
  }

  private async readAll(): Promise<Map<string, Date>> {
    if (this.targets.length === 0) return new Map();
    const rows: Array<{ rule: string; kind: string; id: string; at: Date }> =
      await this.uow.manager.query(
        `SELECT p.trigger_rule AS rule, p.target_kind AS kind, p.target_id AS id,
                max(p.created_at) AS at
           FROM plans p JOIN unnest($1::text[], $2::text[]) AS t(kind, id)
             ON p.target_kind = t.kind AND p.target_id = t.id
          WHERE p.state <> 'blocked'
          GROUP BY 1, 2, 3`,
        [this.targets.map((t) => t.kind), this.targets.map((t) => t.id)],
      );
    return new Map(rows.map((r) => [key(r.rule, r.kind, r.id), r.at]));
  }
}
