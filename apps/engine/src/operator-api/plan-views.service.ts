import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationError } from '@reflex/common';
import { ACTION_STATES, ACTION_TYPES, PLAN_STATES, POLICIES } from '@reflex/contracts/plan.v1';
import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { PageV1 } from '@reflex/contracts';
import type { ExecutablePlan } from '@reflex/domain';
import { type ActionListItem, PlanQueryRepository } from '../plans/plan-query.repository';
import {
  dateOf,
  limitOf,
  oneOf,
  pageOf,
  PLAN_PAGE_SIZE,
  positionOf,
  textOf,
} from '../plans/plan-query';
import { isBigintId } from '../common/query-params';
import { type NamedTimelineEntry, nameTimeline } from '../plans/timeline-names';

/** A page of a list, as every list route answers (@reflex/contracts). */
export type Page<T> = PageV1<T>;

export interface PlanListQuery {
  state?: unknown;
  policy?: unknown;
  rule?: unknown;
  alarm?: unknown;
  resource?: unknown;
  from?: unknown;
  to?: unknown;
  limit?: unknown;
  cursor?: unknown;
}

export interface ActionListQuery {
  type?: unknown;
  state?: unknown;
  host?: unknown;
  limit?: unknown;
  cursor?: unknown;
}

/** The reads of the plans API: query strings validated, pages cut, unknown ids a 404. */
@Injectable()
export class PlanViewsService {
  constructor(private readonly query: PlanQueryRepository) {}

  async plan(id: string): Promise<ExecutablePlan> {
    const plan = await this.query.plan(id);
    if (!plan) throw new NotFoundError('plan', id);
    return plan;
  }

  async plans(q: PlanListQuery): Promise<Page<ExecutablePlan>> {
    const limit = limitOf(q.limit, PLAN_PAGE_SIZE);
    const plans = await this.query.listPlans({
      state: oneOf('state', q.state, PLAN_STATES),
      policy: oneOf('policy', q.policy, POLICIES),
      rule: textOf('rule', q.rule),
      alarm: textOf('alarm', q.alarm),
      resource: textOf('resource', q.resource),
      from: dateOf('from', q.from),
      to: dateOf('to', q.to),
      limit,
      before: positionOf(q.cursor),
    });
    return pageOf(plans, limit);
  }

  async actions(q: ActionListQuery): Promise<Page<ActionListItem>> {
    const limit = limitOf(q.limit);
    const actions = await this.query.listActions({
      type: oneOf('type', q.type, ACTION_TYPES),
      state: oneOf('state', q.state, ACTION_STATES),
      host: textOf('host', q.host),
      limit,
      before: positionOf(q.cursor),
    });
    return pageOf(actions, limit);
  }

  async action(id: string): Promise<ActionV1> {
    const action = await this.query.action(id);
    if (!action) throw new NotFoundError('action', id);
    return action;
  }

  /** The timeline in order; the cursor is the last entry's id. */
  async timeline(
    planId: string,
    limit: unknown,
    cursor: unknown,
  ): Promise<Page<NamedTimelineEntry>> {
    const size = limitOf(limit);
    let after: string | undefined;
    if (cursor !== undefined && cursor !== '') {
      after = typeof cursor === 'string' ? Buffer.from(cursor, 'base64url').toString() : '';
      if (!isBigintId(after)) {
        throw new ValidationError('cursor is not a cursor returned by a previous page', [
          { path: 'cursor', message: 'is not a cursor returned by a previous page' },
        ]);
      }
    }
    const plan = await this.plan(planId);
    const entries = await this.query.timeline(planId, size, after);
    const items = nameTimeline(entries.slice(0, size), plan.actions);
    const more = entries.length > size;
    return {
      items,
      nextCursor: more ? Buffer.from(items[items.length - 1].id).toString('base64url') : null,
    };
  }
}
