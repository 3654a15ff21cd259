import type { ResourceRefV1 } from '@reflex/contracts/alarm.v1';
import {
  cellOfDecision,
  type CellOfDecision,
  type ExecutablePlan,
  type InFlight,
  type InventoryView,
  LiveClaims,
  LivePromises,
  type LiveClaim,
  ONE_CELL,
  planResources,
  type ResourceSet,
} from '@reflex/domain';
import type { RunningActions } from '../execution/running-actions';
import { isLive } from './live-plans';
import type { PlanningParts } from './planning-parts';

/**
 * The planning cells one batch plans in (`planning-cells.ts`): their locks, taken together in name
 * order; per cell, the live plans (read once, then kept with the batch's own), its part of the
 * inventory and the running actions its first steps dispatch against.
 */
export class BatchCells {
  /** The whole inventory, for finding a decision's cell (only); each cell plans over its part. */
  private view: InventoryView | null = null;
  private readonly cells = new Map<string, CellState>();
  private readonly locked = new Set<string>();
  /** The cells `prepare` expects the batch to plan in: locked together, in order, at first need. */
  private expected: string[] = [];
  private readonly running = new Map<string, RunningActions>();

  constructor(private readonly parts: PlanningParts) {}

  /**
   * Names the resources the batch's decisions are about, before any is planned, so that the cells
   * they are in are locked together in name order (two batches locking cells one at a time, in
   * arrival order, could each wait for the other).
   */
  async prepare(resources: readonly ResourceRefV1[]): Promise<void> {
    const label = this.parts.cellViews.label;
    if (!label) {
      this.expected = [ONE_CELL];
      return;
    }
    const view = await this.wholeView();
    const cells = new Set<string>();
    for (const resource of resources) {
      const { cell } = cellOfDecision(view, resource, label);
      if (cell !== null) cells.add(cell);
    }
    this.expected = [...cells].sort();
  }

  async serialize(): Promise<void> {
    await this.lock(this.expected.length > 0 ? this.expected : [ONE_CELL]);
  }

  async cellOf(target: ResourceRefV1): Promise<CellOfDecision> {
    const label = this.parts.cellViews.label;
    if (!label) return { cell: ONE_CELL, refused: null };
    return cellOfDecision(await this.wholeView(), target, label);
  }

  /**
   * A cell under its lock, with its live plans and its view of the inventory. Live plans are read
   * before the inventory: a move that completes in between is then counted twice (reservation and
   * inventory), which errs on the safe side, never zero times.
   */
  async cell(name: string): Promise<CellState & { view: InventoryView }> {
    await this.lock(this.expected.includes(name) ? this.expected : [name]);
    let cell = this.cells.get(name);
    if (!cell) {
      cell = new CellState(await this.parts.livePlans.of(name));
      this.cells.set(name, cell);
    }
    // Read again after the live plans (the snapshot is kept while the version stands).
    cell.view ??= this.parts.cellViews.of(await this.parts.inventory.view(), name);
    return cell as CellState & { view: InventoryView };
  }

  runningIn(cell: string): RunningActions {
    let running = this.running.get(cell);
    if (!running) {
      running = this.parts.executor.runningActions(cell);
      this.running.set(cell, running);
    }
    return running;
  }

  /** The cell's view of the inventory, if the batch has read it (for its plans' first steps). */
  viewOf(cell: string): InventoryView | undefined {
    return this.cells.get(cell)?.view ?? undefined;
  }

  async wholeView(): Promise<InventoryView> {
    this.view ??= await this.parts.inventory.view();
    return this.view;
  }

  /** A plan the batch made in `cell`, live after its first step. */
  added(cell: string, plan: ExecutablePlan): void {
    this.cells.get(cell)?.add(plan);
  }

  /** A live plan the batch stepped (superseded, cancelled): live still, or gone. */
  replace(plan: ExecutablePlan): void {
    for (const cell of this.cells.values()) cell.replace(plan);
  }

  /** The batch's steps changed the inventory (in its transaction): read it again when next needed. */
  inventoryChanged(): void {
    this.view = null;
    for (const cell of this.cells.values()) cell.view = null;
  }

  /** Locks `cells` not held yet, in name order. */
  private async lock(cells: readonly string[]): Promise<void> {
    const missing = cells.filter((c) => !this.locked.has(c));
    if (missing.length === 0) return;
    await this.parts.locks.cells(missing);
    for (const c of missing) this.locked.add(c);
  }
}

/** One cell as a batch plans in it: its live plans (with the batch's own), its view, their claims. */
class CellState {
  view: InventoryView | null = null;
  /** The live plans' claims over `view`, indexed by resource; built at first need per view. */
  private claims: { view: InventoryView; index: LiveClaims } | null = null;

  /** What `live` has promised, kept as plans join rather than worked out for every decision. */
  private promises: LivePromises;

  constructor(public live: ExecutablePlan[]) {
    this.promises = new LivePromises(live);
  }

  add(plan: ExecutablePlan): void {
    this.live.push(plan);
    this.promises.add(plan);
    if (this.claims?.view === this.view) this.claims.index.add(this.claimOf(plan));
  }

  /** `promisedView` and `inFlightFromPlans` of the live plans, over this cell's view. */
  promised(view: InventoryView): { promised: InventoryView; inFlight: InFlight } {
    return { promised: this.promises.promised(view), inFlight: this.promises.inFlight(view) };
  }

  /** The live plans' claims that hold any of `holds`: all `decideConflict` needs to see. */
  claimsOn(holds: ResourceSet): LiveClaim[] {
    if (this.claims?.view !== this.view) {
      this.claims = {
        view: this.view!,
        index: new LiveClaims(this.live.map((plan) => this.claimOf(plan))),
      };
    }
    return this.claims.index.overlapping(holds);
  }

  /** Takes in a plan stepped by the batch (superseded, cancelled): live or gone. */
  replace(plan: ExecutablePlan): void {
    if (!this.live.some((p) => p.id === plan.id)) return;
    const rest = this.live.filter((p) => p.id !== plan.id);
    this.live = isLive(plan) ? [...rest, plan] : rest;
    this.promises = new LivePromises(this.live);
    this.claims?.index.remove(plan.id);
    if (isLive(plan) && this.claims?.view === this.view) this.claims.index.add(this.claimOf(plan));
  }

  /** What a live plan holds, over this cell's view. */
  private claimOf(plan: ExecutablePlan): LiveClaim {
    return {
      planId: plan.id,
      policy: plan.policy,
      target: plan.target,
      state: plan.state,
      holds: planResources(this.view!, plan.target, plan.actions, false),
    };
  }
}
