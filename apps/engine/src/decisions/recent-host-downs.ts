import type { AlarmV1 } from '@reflex/contracts';
import type { AlarmDisposition } from '@reflex/persistence';
import { reportsHostDown, ZONE_LOSS_WINDOW_SECONDS } from '@reflex/rules';
import type { RecentHostDownLookup } from '../rules/live-fact-source';
import { AlarmRepository } from './alarm.repository';

/**
 * The hosts reported down lately, for the `zoneLosses` fact of one intake batch: what committed
 * batches stored, read once on first use, plus the reports this batch has decided so far (each
 * alarm is decided as if alone, so a later alarm of the batch is not counted before its turn).
 *
 * The first read waits for `serialize` (the planning lock, which every plan-making decision takes
 * anyway): concurrent batches of one storm, on other partitions or replicas, then count each
 * other's reports instead of each seeing only its own.
 */
export class RecentHostDowns implements RecentHostDownLookup {
  private stored: Promise<string[]> | null = null;
  private readonly batch = new Set<string>();

  constructor(
    private readonly alarms: AlarmRepository,
    private readonly batchRows: string[],
    private readonly serialize: () => Promise<void>,
  ) {}

  async reportedDown(): Promise<ReadonlySet<string>> {
    this.stored ??= this.serialize().then(() =>
      this.alarms.hostsReportedDown(ZONE_LOSS_WINDOW_SECONDS, this.batchRows),
    );
    return new Set([...(await this.stored), ...this.batch]);
  }

  /** Takes in the decision about an alarm of the batch. */
  decided(alarm: AlarmV1, disposition: AlarmDisposition): void {
    if (disposition !== 'duplicate' && reportsHostDown(alarm)) this.batch.add(alarm.resource.id);
  }
}
