import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DriverEventsPublisher } from '../events/driver-events.publisher';
import { DRIVER_SETTINGS, type DriverSettings } from '../settings/driver-settings';
import { ActionRunner } from './action-runner.service';
import { keyOf } from '../action-store/driver-action.record';
import { DriverActionRepository } from '../action-store/driver-action.repository';

/**
 * Who watches which unfinished action, across replicas and restarts (CONTRACT §7 restart safety).
 *
 * - Heartbeat (every third of DRIVER_LEASE_MS): renews this replica's leases; the answer also
 *   carries abort/force-complete requests that reached another replica.
 * - Sweep (every half lease, and once at start-up, which is the restart reconciliation): takes
 *   over every unfinished action whose lease expired (its replica died) or that is recorded
 *   under this replica's own id (a restart with a stable DRIVER_REPLICA_ID), resumes each from
 *   the backend's real state, and re-sends final events whose publisher failed or died.
 * - Graceful shutdown: stops watching, leaves the cloud operations running and the actions
 *   unfinished, and expires this replica's leases so that another replica takes them at once.
 */
@Injectable()
export class ActionLeases implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('action-leases');
  private heartbeatTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private lastRenewedAt = Date.now();
  private busy: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(DRIVER_SETTINGS) private readonly settings: DriverSettings,
    private readonly actions: DriverActionRepository,
    private readonly runner: ActionRunner,
    private readonly publisher: DriverEventsPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    const lease = this.settings.leaseMs;
    this.heartbeatTimer = setInterval(() => this.serially(() => this.heartbeat()), lease / 3);
    this.sweepTimer = setInterval(() => this.serially(() => this.sweep()), lease / 2);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.sweepTimer);
    this.runner.stop();
    // Claims already under way commit first, so that the release below covers them too.
    await Promise.all([this.busy, this.runner.admittedSettled()]);
    try {
      const released = await this.actions.releaseLeases(this.runner.owner);
      if (released > 0) this.logger.log(`left ${released} action(s) running for another replica`);
    } catch (error) {
      this.logger.warn(`could not release leases (they expire by themselves): ${String(error)}`);
    }
  }

  /** One round at a time: a slow database must not pile up overlapping rounds. */
  private serially(round: () => Promise<void>): void {
    if (this.stopped) return;
    this.busy = this.busy.then(round).catch((error: unknown) => {
      this.logger.warn(`lease round failed: ${String(error)}`);
    });
  }

  private async heartbeat(): Promise<void> {
    const since = Date.now();
    try {
      const renewed = await this.actions.renewLeases(this.runner.owner, this.settings.leaseMs);
      this.lastRenewedAt = since;
      this.runner.applyRenewal(renewed, since);
    } catch (error) {
      if (Date.now() - this.lastRenewedAt > this.settings.leaseMs) {
        // Our leases have lapsed: another replica may be watching these actions now.
        this.runner.detachAll('leases lapsed while the database was unreachable');
      }
      throw error;
    }
  }

  private async sweep(): Promise<void> {
    const local = new Set(this.runner.localKeys());
    const taken = await this.actions.takeOverOrphans(this.runner.owner, this.settings.leaseMs);
    for (const record of taken) {
      if (local.has(keyOf(record)) || this.stopped) continue;
      this.logger.log({ msg: 'reconciling an unfinished action', ...pick(record) });
      this.runner.run(record, 'resume');
    }
    await this.publisher.sweepUnpublished(this.settings.leaseMs);
  }
}

function pick(r: { actionId: string; attempt: number; backend: string; status: string }) {
  return { actionId: r.actionId, attempt: r.attempt, backend: r.backend, status: r.status };
}
