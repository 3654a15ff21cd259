import { Injectable } from '@nestjs/common';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan, PlanTimelineEvent } from '@reflex/domain';
import {
  ActionEntity,
  bulkInsert,
  PlanEntity,
  PlanEventEntity,
  UnitOfWork,
} from '@reflex/persistence';
import {
  ACTION_COLUMNS,
  type ActionRow,
  byPlan,
  hostIdsOf,
  LIVE_STATES_SQL,
  PLAN_COLUMNS,
  PLAN_COLUMNS_WITHOUT_EXPLANATION,
  type PlanRow,
  toAction,
  toPlan,
} from './plan-rows';
import { actionEntity, date, planEntity } from './plan-entities';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are uuids; anything else names nothing (a 404), rather than a database type error. */
export const isUuid = (id: string): boolean => UUID.test(id);

/** Fields of an action that a lifecycle step may change. */
const MUTABLE = ['state', 'attempts', 'progress', 'startedAt', 'finishedAt', 'error'] as const;

/**
 * All SQL over plans, their actions and their timeline. Every state change runs in the caller's
 * transaction after `lock` has taken the plan row, so two steps of one plan never interleave.
 */
@Injectable()
export class PlanRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Stores a new plan with its actions; `resources` feeds `GET /v1/plans?resource=`. */
  async insert(plan: ExecutablePlan, resources: string[]): Promise<void> {
    await this.insertMany([{ plan, resources }]);
  }

  /**
   * Stores new plans, each as its first step left it (so no update follows the insert), with their
   * actions (`deadlines` for those just dispatched): two statements however many plans.
   */
  async insertMany(plans: readonly NewPlanRow[]): Promise<void> {
    if (plans.length === 0) return;
    await bulkInsert(
      this.uow.manager,
      PlanEntity,
      plans.map(({ plan, resources, cell }) => planEntity(plan, resources, cell)),
    );
    await bulkInsert(
      this.uow.manager,
      ActionEntity,
      plans.flatMap(({ plan, deadlines }) =>
        plan.actions.map((a) => actionEntity(a, plan.createdAt, deadlines)),
      ),
    );
  }

  /** Locks the plan row for this transaction; false if there is no such plan (or, with `skipLocked`, another transaction holds it). */
  async lock(planId: string, options: { skipLocked?: boolean } = {}): Promise<boolean> {
    return (await this.lockInCell(planId, options)) !== null;
  }

  /** `lock`, answering the planning cell the plan was made in (null: not locked). */
  async lockInCell(planId: string, options: { skipLocked?: boolean } = {}): Promise<string | null> {
    if (!isUuid(planId)) return null;
    const rows = await this.uow.manager.query<{ cell: string }[]>(
      `SELECT id, cell FROM plans WHERE id = $1 FOR UPDATE ${options.skipLocked ? 'SKIP LOCKED' : ''}`,
      [planId],
    );
    return rows[0]?.cell ?? null;
  }

  async load(planId: string): Promise<ExecutablePlan | null> {
    if (!isUuid(planId)) return null;
    const [plan] = await this.loadMany(`p.id = $1`, [planId]);
    return plan ?? null;
  }

  /**
   * Plans matching `where` (over alias `p`), with their actions in seq order; `explanation` null
   * unless `withExplanation`.
   */
  async loadMany(
    where: string,
    params: unknown[],
    tail = 'ORDER BY p.created_at, p.id',
    withExplanation = true,
  ): Promise<ExecutablePlan[]> {
    const columns = withExplanation ? PLAN_COLUMNS : PLAN_COLUMNS_WITHOUT_EXPLANATION;
    const rows = await this.uow.manager.query<PlanRow[]>(
      `SELECT ${columns} FROM plans p WHERE ${where} ${tail}`,
      params,
    );
    if (rows.length === 0) return [];
    const actions = await this.uow.manager.query<ActionRow[]>(
      `SELECT ${ACTION_COLUMNS} FROM actions a WHERE a.plan_id = ANY($1::uuid[])
       ORDER BY a.plan_id, a.seq`,
      [rows.map((row) => row.id)],
    );
    const grouped = byPlan(actions);
    return rows.map((row) => toPlan(row, grouped.get(row.id) ?? []));
  }

  /**
   * Writes what a lifecycle step changed: the plan's state and times, the actions whose state moved
   * (`deadlines` for those just dispatched) and the actions it added (compensations).
   */
  async save(
    before: ExecutablePlan,
    after: ExecutablePlan,
    deadlines: ReadonlyMap<string, string>,
    now: string,
  ): Promise<void> {
    if (
      before.state !== after.state ||
      before.startedAt !== after.startedAt ||
      before.finishedAt !== after.finishedAt ||
      before.reason !== after.reason
    ) {
      await this.uow.manager.update(
        PlanEntity,
        { id: after.id },
        {
          state: after.state,
          reason: after.reason,
          startedAt: date(after.startedAt),
          finishedAt: date(after.finishedAt),
        },
      );
    }
    const previous = new Map(before.actions.map((a) => [a.id, a]));
    const added: ActionV1[] = [];
    for (const action of after.actions) {
      const old = previous.get(action.id);
      if (!old) {
        added.push(action);
        continue;
      }
      const deadline = deadlines.get(action.id);
      // A re-placement may change only the params (a pending move whose destination went down, or
      // one placed in a later step than the one that recorded its failure): compared by value, or
      // the new destination went to the driver while the row kept the old one, and the success
      // put the instance on the dead host in the inventory.
      const replaced =
        old.unusableHostIds !== action.unusableHostIds || !sameParams(old.params, action.params);
      if (!deadline && !replaced && MUTABLE.every((field) => old[field] === action[field])) {
        continue;
      }
      await this.uow.manager.update(
        ActionEntity,
        { id: action.id },
        {
          state: action.state,
          attempts: action.attempts,
          progress: action.progress,
          startedAt: date(action.startedAt),
          finishedAt: date(action.finishedAt),
          error: action.error,
          ...(deadline ? { deadline: new Date(deadline) } : {}),
          ...(replaced ? this.replacement(action) : {}),
        },
      );
      if (replaced) await this.addResources(after.id, hostIdsOf(action));
    }
    await this.insertActions(added, now, deadlines);
  }

  /** A re-placed move (CONTRACT §9): its new destination and the hosts it found unusable. */
  private replacement(action: ActionV1): Partial<ActionEntity> {
    return {
      params: action.params,
      unusableHostIds: action.unusableHostIds ?? [],
      hostIds: hostIdsOf(action),
    };
  }

  /** So that `GET /v1/plans?resource=` finds the plan by a re-placed move's new destination too. */
  private async addResources(planId: string, ids: string[]) {
    await this.uow.manager.query(
      `UPDATE plans SET resources = ARRAY(SELECT DISTINCT unnest(resources || $2::text[]))
        WHERE id = $1 AND NOT resources @> $2::text[]`,
      [planId, ids],
    );
  }

  async appendEvents(events: readonly PlanTimelineEvent[]): Promise<void> {
    if (events.length === 0) return;
    await bulkInsert(
      this.uow.manager,
      PlanEventEntity,
      events.map((e) => ({
        planId: e.planId,
        actionId: e.actionId,
        at: new Date(e.at),
        type: e.type,
        fromState: e.from,
        toState: e.to,
        detail: e.detail,
      })),
    );
  }

  /**
   * Set after the superseding plan is stored: the foreign key needs that row, and the live-target
   * index needs the old plan out of the live states before the new one goes in.
   */
  async setSupersededBy(planId: string, byPlanId: string): Promise<void> {
    await this.uow.manager.update(PlanEntity, { id: planId }, { supersededBy: byPlanId });
  }

  /**
   * Every plan that still holds resources (in `cell`, or anywhere when null): for conflicts and for
   * capacity already promised.
   */
  listLive(cell: string | null = null): Promise<ExecutablePlan[]> {
    // Planning reads what the live plans hold and reserve, never why they were made.
    return cell === null
      ? this.loadMany(`p.state IN ${LIVE_STATES_SQL}`, [], undefined, false)
      : this.loadMany(`p.state IN ${LIVE_STATES_SQL} AND p.cell = $1`, [cell], undefined, false);
  }

  /** The planning cell a plan was made in (`''` for an unknown plan). */
  async cellOf(planId: string): Promise<string> {
    if (!isUuid(planId)) return '';
    const rows = await this.uow.manager.query<{ cell: string }[]>(
      `SELECT cell FROM plans WHERE id = $1`,
      [planId],
    );
    return rows[0]?.cell ?? '';
  }

  /**
   * Running actions of every other plan (of every plan when `planId` is null), finished plans
   * included (a cancelled plan's abort may be under way).
   */
  async runningActionsExcept(planId: string | null): Promise<ActionV1[]> {
    const rows = await this.uow.manager.query<ActionRow[]>(
      `SELECT ${ACTION_COLUMNS} FROM actions a
        WHERE a.state = 'running' AND ($1::uuid IS NULL OR a.plan_id <> $1::uuid)`,
      [planId],
    );
    return rows.map(toAction);
  }

  async planIdOfAction(actionId: string): Promise<string | null> {
    if (!isUuid(actionId)) return null;
    const rows = await this.uow.manager.query<{ plan_id: string }[]>(
      `SELECT plan_id FROM actions WHERE id = $1`,
      [actionId],
    );
    return rows[0]?.plan_id ?? null;
  }

  private async insertActions(
    actions: readonly ActionV1[],
    createdAt: string,
    deadlines: ReadonlyMap<string, string> = new Map(),
  ): Promise<void> {
    if (actions.length === 0) return;
    await bulkInsert(
      this.uow.manager,
      ActionEntity,
      actions.map((a) => actionEntity(a, createdAt, deadlines)),
    );
  }
}

/** A new plan for `insertMany`: its actions' `deadlines` for those its first step dispatched. */
export interface NewPlanRow {
  plan: ExecutablePlan;
  resources: string[];
  /** The planning cell it was made in; `''` when absent. */
  cell?: string;
  deadlines?: ReadonlyMap<string, string>;
}

function sameParams(a: ActionV1['params'], b: ActionV1['params']): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
