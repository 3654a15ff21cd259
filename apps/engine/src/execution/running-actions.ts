import type { ActionV1 } from '@reflex/contracts/plan.v1';
import type { ExecutablePlan } from '@reflex/domain';

/**
 * Every plan's running actions as one planning batch sees them, for the live-migration budget of
 * the plans it starts. Read once, on first use, under DISPATCH, which the transaction then holds to
 * its commit: no other transaction can start an action meanwhile, and one that finishes meanwhile
 * is still counted, which errs on the safe side. The batch's own first steps are added as they are
 * worked out, and replace what the read found of the same plans.
 */
export class RunningActions {
  private stored: Promise<ActionV1[]> | null = null;
  private readonly batch = new Map<string, ActionV1[]>();

  constructor(private readonly read: () => Promise<ActionV1[]>) {}

  async except(planId: string): Promise<ActionV1[]> {
    this.stored ??= this.read();
    const stored = await this.stored;
    const others = stored.filter((a) => a.planId !== planId && !this.batch.has(a.planId));
    for (const [id, actions] of this.batch) if (id !== planId) others.push(...actions);
    return others;
  }

  /** Takes in a plan's step worked out in this batch. */
  stepped(plan: ExecutablePlan): void {
    this.batch.set(
      plan.id,
      plan.actions.filter((a) => a.state === 'running'),
    );
  }
}
