import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '@reflex/persistence';

// "REFL" + 1; MIGRATION_LOCK_KEY of persistence is "REFLEX".
const PLANNING_LOCK_KEY = '90452669333505';
/** "REFL" as a 32-bit key class: a cell's lock is (class, hashtext(cell)). */
const CELL_LOCK_CLASS = 1380271692;
/** "REFM": a cell's dispatch lock is (class, hashtext(cell)). */
const DISPATCH_CELL_CLASS = 1380271693;

/**
 * Transaction-scoped advisory locks (released at commit or rollback), per database, taken in the
 * unit of work's transaction. Order, to stay free of deadlocks: PLANNING (the waiting decisions'
 * queue), then planning CELLs (sorted by name), then plan rows (sorted by id), then a cell's
 * DISPATCH. A plan step that holds a plan row never waits for a cell; it may only try it
 * (`tryCell`).
 */
@Injectable()
export class PlanLocks {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * Serialises re-planning waiting decisions across replicas (oldest first, one at a time); each
   * is then planned under its cell's lock. Only tried: a replica that finds it taken leaves the
   * queue to the one holding it, which drains it, rather than wait behind it (and so behind
   * whatever cell lock that one waits for) on every tick.
   */
  async tryPlanning(): Promise<boolean> {
    this.uow.requireTransaction('planning');
    const rows = await this.uow.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`,
      [PLANNING_LOCK_KEY],
    );
    return rows[0]?.locked === true;
  }

  /**
   * Serialises planning in each cell across replicas: two decisions competing for the last free
   * host must each see the capacity the other reserved, so one plans only after the other has
   * committed. Cells are locked in name order (two cells whose names hash alike share a lock,
   * which only costs concurrency).
   */
  async cells(cells: readonly string[]): Promise<void> {
    this.uow.requireTransaction('planning');
    if (cells.length === 0) return;
    await this.uow.manager.query(
      // unnest yields the sorted names in order; no ORDER BY, which could run after the calls.
      `SELECT pg_advisory_xact_lock($1::int, hashtext(c)) FROM unnest($2::text[]) AS t(c)`,
      [CELL_LOCK_CLASS, [...cells].sort()],
    );
  }

  /**
   * A cell's lock if it is free now, without waiting: for a plan step (which holds a plan row)
   * that wants to place a move again. Waiting there could deadlock with a decision that holds the
   * cell and wants that plan row (to supersede it); the step retries on a later tick instead.
   */
  async tryCell(cell: string): Promise<boolean> {
    this.uow.requireTransaction('planning');
    const rows = await this.uow.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock($1::int, hashtext($2)) AS locked`,
      [CELL_LOCK_CLASS, cell],
    );
    return rows[0]?.locked === true;
  }

  /**
   * Serialises dispatching across the plans of a cell: the live-migration budget of a source host
   * counts every plan's migrations, so two plans must not both take its last slot. Moves stay
   * within their cell, so plans of two cells never share a source host and dispatch side by side.
   */
  async dispatch(cell: string): Promise<void> {
    await this.uow.manager.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, [
      DISPATCH_CELL_CLASS,
      cell,
    ]);
  }
}
