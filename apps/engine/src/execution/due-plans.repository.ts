import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';
import { LIVE_STATES_SQL } from '../plans/plan-rows';

/** The ticker's questions to the plan store: which plans to resume, which to step now. */
@Injectable()
export class DuePlansRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Plans that have not reached an end state, oldest first: what a starting engine resumes. */
  async listUnfinishedIds(): Promise<string[]> {
    const rows = await this.uow.manager.query<{ id: string }[]>(
      `SELECT id FROM plans WHERE state IN ${LIVE_STATES_SQL} ORDER BY created_at, id`,
    );
    return rows.map((row) => row.id);
  }

  /**
   * Plans whose next step may do something now: an action waiting to start (perhaps held back by
   * another plan's budget), a running action past its deadline and grace, a running move whose
   * destination the inventory now says is down (to abort and place it again), or nothing open.
   * An action that waits for another one still pending or running is not a reason: that one's
   * result steps the plan (and a pending one makes it due by itself). Without this, every plan with
   * a follow-up action was stepped on every tick while its first action ran.
   */
  async listDueIds(graceSeconds: number): Promise<string[]> {
    const rows = await this.uow.manager.query<{ id: string }[]>(
      `SELECT p.id FROM plans p
       WHERE p.state IN ('pending', 'running', 'rolling_back')
         AND (EXISTS (SELECT 1 FROM actions a WHERE a.plan_id = p.id AND a.state = 'pending'
                        AND NOT EXISTS (SELECT 1 FROM actions d WHERE d.plan_id = p.id
                                          AND d.id = ANY(a.depends_on)
                                          AND d.state IN ('pending', 'running')))
           OR EXISTS (SELECT 1 FROM actions a WHERE a.plan_id = p.id AND a.state = 'running'
                        AND a.deadline + make_interval(secs => $1) < now())
           -- a running move onto a host now down, not yet asked to abort (CONTRACT §9)
           OR (p.state <> 'rolling_back'
               AND EXISTS (SELECT 1 FROM actions a JOIN hosts h ON h.id = a.params->>'toHostId'
                            WHERE a.plan_id = p.id AND a.state = 'running'
                              AND a.compensation_for IS NULL AND h.status = 'down'
                              AND NOT (h.id = ANY(a.unusable_host_ids))))
           OR NOT EXISTS (SELECT 1 FROM actions a WHERE a.plan_id = p.id
                            AND a.state IN ('pending', 'running')))
       ORDER BY p.created_at, p.id`,
      [graceSeconds],
    );
    return rows.map((row) => row.id);
  }
}
