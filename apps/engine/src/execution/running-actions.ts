import type { ActionV1 } from '@reflex/contracts/plan.v1';
import { type ExecutablePlan, RunningIndex } from '@reflex/domain';

/**
 * Every plan's running actions as one planning batch sees them in a cell, for the live-migration
 * budgets and busy instances of the plans it starts. Read once, on first use, under the cell's
 * DISPATCH, which the transaction then holds to its commit: no other transaction can start an action
 * there meanwhile, and one that finishes meanwhile is still counted, which errs on the safe side.
 * The batch's own first steps are added as they are worked out.
 */
export class RunningActions {
  private stored: Promise<ActionV1[]> | null = null;
  private readonly batch = new Map<string, ActionV1[]>();
  /** The read and the batch's first steps, counted once and added to. */
  private index: RunningIndex | null = null;

  constructor(private readonly read: () => Promise<ActionV1[]>) {}

  /** The running actions of every plan but `planId`, indexed for dispatching. */
  async except(planId: string): Promise<RunningIndex> {
    this.stored ??= this.read();
    const stored = await this.stored;
    if (this.batch.has(planId)) return this.without(stored, planId);
    if (!this.index) {
      this.index = this.without(stored, planId);
    }
    return this.index;
  }

  /** Takes in a plan's first step worked out in this batch. */
  stepped(plan: ExecutablePlan): void {
    const running = plan.actions.filter((a) => a.state === 'running');
    const known = this.batch.has(plan.id);
    this.batch.set(plan.id, running);
    if (!this.index) return;
    // A plan stepped twice cannot be taken out of the counts: count afresh when next asked.
    if (known) this.index = null;
    else for (const action of running) this.index.add(action);
  }

  private without(stored: readonly ActionV1[], planId: string): RunningIndex {
    const index = new RunningIndex(
      stored.filter((a) => a.planId !== planId && !this.batch.has(a.planId)),
    );
    for (const [id, actions] of this.batch) {
      if (id !== planId) for (const action of actions) index.add(action);
    }
    return index;
  }
}
