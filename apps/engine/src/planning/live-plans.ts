import { Injectable } from '@nestjs/common';
import type { ExecutablePlan } from '@reflex/domain';
import { LIVE_PLAN_STATES, UnitOfWork } from '@reflex/persistence';
import { PlanRepository } from '../plans/plan.repository';
import { LIVE_STATES_SQL } from '../plans/plan-rows';

type Kept = { version: string; plan: ExecutablePlan };

/** As `listLive` selects them. */
export const isLive = (plan: ExecutablePlan): boolean =>
  (LIVE_PLAN_STATES as readonly string[]).includes(plan.state);

/** A live plan's stored version (see `LivePlans`); `mine`: written by this transaction. */
interface Version {
  id: string;
  version: string;
  mine: boolean;
}

/**
 * The live plans of each planning cell, kept between planning batches and checked against the
 * database by each: a batch reads every live plan's version and loads only the plans whose version
 * it has not seen. Before, each batch loaded every live plan with its actions; in a storm, with a
 * thousand plans live, that read was most of every batch's time under the cell's lock.
 *
 * A version is the xmin (the writing transaction) of the plan row and of each of its action rows,
 * which every committed write changes; nothing has to remember to move it, whichever path writes
 * (an executor step, another replica, an operator). Rows this transaction wrote are read but not
 * kept: it may write them again under the same xmin, or roll back.
 */
@Injectable()
export class LivePlans {
  private readonly cells = new Map<string, Map<string, Kept>>();

  constructor(
    private readonly uow: UnitOfWork,
    private readonly plans: PlanRepository,
  ) {}

  /** `listLive(cell)`, read through the kept copies; run it under the cell's planning lock. */
  async of(cell: string): Promise<ExecutablePlan[]> {
    const versions = await this.versions(cell);
    const kept = this.cells.get(cell) ?? new Map<string, Kept>();
    const stale = versions.filter((v) => kept.get(v.id)?.version !== v.version).map((v) => v.id);
    const loaded = new Map((await this.load(stale)).map((plan) => [plan.id, plan]));
    const next = new Map<string, Kept>();
    const live: ExecutablePlan[] = [];
    for (const v of versions) {
      const plan = loaded.get(v.id) ?? kept.get(v.id)?.plan;
      // Finished between the two reads: no longer live. (A plan loaded newer than its version is
      // kept under the older one, so the next batch loads it again: never the other way round.)
      if (!plan || !isLive(plan)) continue;
      live.push(plan);
      if (!v.mine) next.set(v.id, { version: v.version, plan });
    }
    this.cells.set(cell, next);
    return live;
  }

  private load(ids: string[]): Promise<ExecutablePlan[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.plans.loadMany(`p.id = ANY($1::uuid[])`, [ids], undefined, false);
  }

  private versions(cell: string): Promise<Version[]> {
    return this.uow.manager.query<Version[]>(
      `WITH me AS (SELECT txid_current_if_assigned() % 4294967296 AS xid)
       SELECT p.id, p.xmin::text || ':' || coalesce(a.xmins, '') AS version,
              coalesce(p.xmin::text::bigint = me.xid OR a.mine, false) AS mine
         FROM plans p CROSS JOIN me
         LEFT JOIN LATERAL (
           SELECT string_agg(x.xmin::text, ',' ORDER BY x.seq) AS xmins,
                  bool_or(x.xmin::text::bigint = me.xid) AS mine
             FROM actions x WHERE x.plan_id = p.id
         ) a ON true
        WHERE p.state IN ${LIVE_STATES_SQL} AND p.cell = $1
        ORDER BY p.created_at, p.id`,
      [cell],
    );
  }
}
