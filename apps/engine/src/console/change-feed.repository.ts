import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Where the tables stood at one poll: what later polls compare with. */
export interface Watermarks {
  /** Highest `plan_events.id`: every plan and action state change appends one. */
  planEvent: string;
  /** Highest `alarms.id`. */
  alarm: string;
  /** `inventory_version.version`, bumped by a trigger on every inventory change. */
  inventory: string;
  /** Progress of each plan's running actions, summed: progress reports append no event. */
  progress: Map<string, number>;
}

/** Cap on the plan ids one change lists; beyond it the console reloads what it shows anyway. */
export const CHANGED_PLANS_LIMIT = 500;

/** The cheap reads the change feed polls with: each goes by an index or a primary key. */
@Injectable()
export class ChangeFeedRepository {
  constructor(private readonly dataSource: DataSource) {}

  async watermarks(): Promise<Watermarks> {
    const [marks] = await this.dataSource.query<Array<Omit<Watermarks, 'progress'>>>(
      `SELECT (SELECT coalesce(max(id), 0) FROM plan_events)::text AS "planEvent",
              (SELECT coalesce(max(id), 0) FROM alarms)::text AS alarm,
              (SELECT coalesce(max(version), 0) FROM inventory_version)::text AS inventory`,
    );
    const running = await this.dataSource.query<Array<{ planId: string; progress: number }>>(
      // Through the live plans (by their state index), then their actions (by plan id): a scan
      // of every action ever run, four times a second, would grow with the audit history.
      `SELECT a.plan_id AS "planId", sum(a.progress)::int AS progress
         FROM plans p JOIN actions a ON a.plan_id = p.id
        WHERE p.state IN ('running', 'rolling_back') AND a.state = 'running'
        GROUP BY a.plan_id`,
    );
    return { ...marks, progress: new Map(running.map((r) => [r.planId, r.progress])) };
  }

  /** Plans with a timeline entry after `planEvent`, at most CHANGED_PLANS_LIMIT. */
  async plansChangedAfter(planEvent: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ planId: string }>>(
      `SELECT DISTINCT plan_id AS "planId" FROM plan_events WHERE id > $1 LIMIT ${CHANGED_PLANS_LIMIT}`,
      [planEvent],
    );
    return rows.map((r) => r.planId);
  }
}
