import { Inject, Injectable } from '@nestjs/common';
import type {
  ActionState,
  ActionType,
  ActionV1,
  PlanState,
  Policy,
} from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';
import { DataSource } from 'typeorm';
import {
  ACTION_COLUMNS,
  type ActionRow,
  type PlanEventRow,
  type TimelineEntry,
  toAction,
  toTimelineEntry,
} from './plan-rows';
import { isUuid, PlanRepository } from './plan.repository';

/** A position in a newest-first list: the last item of the previous page. */
export interface Position {
  createdAt: string;
  id: string;
}

export interface PlanFilter {
  state?: PlanState;
  policy?: Policy;
  /** The rule that made the plan. */
  rule?: string;
  /** The producer's id of the triggering alarm. */
  alarm?: string;
  /** Any host or instance the plan touches. */
  resource?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  limit: number;
  before?: Position;
}

export interface ActionFilter {
  type?: ActionType;
  state?: ActionState;
  host?: string;
  limit: number;
  before?: Position;
}

export interface ActionListItem extends ActionV1 {
  createdAt: string;
}

/**
 * The read side of `GET /v1/plans` and `GET /v1/actions`. Lists run newest first on
 * (created_at, id), the column pair the indexes lead with, and read `limit + 1` rows so that the
 * caller knows whether another page exists. Times are stored at millisecond precision, so a
 * position taken from a JSON date compares exactly.
 */
@Injectable()
export class PlanQueryRepository {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly plans: PlanRepository,
  ) {}

  plan(id: string): Promise<ExecutablePlan | null> {
    return this.plans.load(id);
  }

  /**
   * Only the filters given become conditions, so the planner picks the index that fits them:
   * state, policy or rule with created_at, or created_at alone.
   *
   * With a resource, `plan_resources` leads: its key (resource, created_at, plan) hands out that
   * resource's plans newest first, so the page's ids are found first and only the page's plans are
   * read, not every plan that ever touched the resource (hundreds for a host). The trigger that keeps
   * the table gives each row its plan's created_at, so the order and the cursor are the plans' own.
   */
  listPlans(filter: PlanFilter): Promise<ExecutablePlan[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.state) where.push(`p.state = ${bind(filter.state)}`);
    if (filter.policy) where.push(`p.policy = ${bind(filter.policy)}`);
    if (filter.rule) where.push(`p.trigger_rule = ${bind(filter.rule)}`);
    if (filter.alarm) where.push(`p.trigger_alarm_id = ${bind(filter.alarm)}`);
    const readsPlans = where.length > 0;
    const [createdAt, id] = filter.resource
      ? ['r.created_at', 'r.plan_id']
      : ['p.created_at', 'p.id'];
    if (filter.resource) where.push(`r.resource_id = ${bind(filter.resource)}`);
    if (filter.from) where.push(`${createdAt} >= ${bind(filter.from)}`);
    if (filter.to) where.push(`${createdAt} < ${bind(filter.to)}`);
    if (filter.before) {
      where.push(
        `(${createdAt}, ${id}) < (${bind(filter.before.createdAt)}::timestamptz, ${bind(filter.before.id)}::uuid)`,
      );
    }
    const conditions = where.length ? where.join(' AND ') : 'TRUE';
    const newestFirst = `ORDER BY ${createdAt} DESC, ${id} DESC LIMIT ${bind(filter.limit + 1)}`;
    if (!filter.resource) {
      return this.plans.loadMany(conditions, params, newestFirst);
    }
    const page = `SELECT r.plan_id FROM plan_resources r
      ${readsPlans ? 'JOIN plans p ON p.id = r.plan_id' : ''}
      WHERE ${conditions} ${newestFirst}`;
    return this.plans.loadMany(
      `p.id = ANY(ARRAY(${page}))`,
      params,
      'ORDER BY p.created_at DESC, p.id DESC',
    );
  }

  async listActions(filter: ActionFilter): Promise<ActionListItem[]> {
    const rows = await this.dataSource.query<ActionRow[]>(
      `SELECT ${ACTION_COLUMNS} FROM actions a
       WHERE ($1::text IS NULL OR a.type = $1)
         AND ($2::text IS NULL OR a.state = $2)
         AND ($3::text IS NULL OR a.host_ids @> ARRAY[$3]::text[])
         AND ($4::timestamptz IS NULL OR (a.created_at, a.id) < ($4::timestamptz, $5::uuid))
       ORDER BY a.created_at DESC, a.id DESC
       LIMIT $6`,
      [
        filter.type ?? null,
        filter.state ?? null,
        filter.host ?? null,
        filter.before?.createdAt ?? null,
        filter.before?.id ?? null,
        filter.limit + 1,
      ],
    );
    return rows.map((row) => ({ ...toAction(row), createdAt: row.created_at.toISOString() }));
  }

  async action(id: string): Promise<ActionV1 | null> {
    if (!isUuid(id)) return null;
    const rows = await this.dataSource.query<ActionRow[]>(
      `SELECT ${ACTION_COLUMNS} FROM actions a WHERE a.id = $1`,
      [id],
    );
    return rows.length ? toAction(rows[0]) : null;
  }

  /**
   * Plans waiting for approval whose reason starts with `prefix`, oldest first, optionally only
   * those about a host of `zone` (the target host, or the target instance's host).
   */
  async waitingWithReason(prefix: string, zone: string | null, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT p.id FROM plans p
       LEFT JOIN instances i ON p.target_kind = 'instance' AND i.id = p.target_id
       LEFT JOIN hosts h ON h.id = CASE WHEN p.target_kind = 'host' THEN p.target_id ELSE i.host_id END
       WHERE p.state = 'pending_approval' AND left(p.reason, length($1)) = $1
         AND ($2::text IS NULL OR h.zone = $2)
       ORDER BY p.created_at, p.id
       LIMIT $3`,
      [prefix, zone, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The plan's timeline in the order it happened, after the entry `afterId` if given. */
  async timeline(planId: string, limit: number, afterId?: string): Promise<TimelineEntry[]> {
    const rows = await this.dataSource.query<PlanEventRow[]>(
      `SELECT id, plan_id, action_id, at, type, from_state, to_state, detail
       FROM plan_events
       WHERE plan_id = $1 AND ($2::bigint IS NULL OR id > $2::bigint)
       ORDER BY id
       LIMIT $3`,
      [planId, afterId ?? null, limit + 1],
    );
    return rows.map(toTimelineEntry);
  }
}
