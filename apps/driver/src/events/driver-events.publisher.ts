import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { Topic } from '@reflex/contracts/topics';
import { MESSAGE_BUS, type MessageBus } from '@reflex/messaging';
import { Batcher } from '../batching/batcher';
import type { DriverActionRecord } from '../action-store/driver-action.record';
import { DriverActionRepository } from '../action-store/driver-action.repository';
import { DriverMetrics } from './driver.metrics';

/**
 * `driver.events` out, keyed by action id so one action's events stay in order.
 *
 * Final events are "record, then publish, then mark": the event is first stored in the action's
 * row (the same UPDATE that makes it final, so a result can never be lost or reported for a
 * change that did not commit), then sent, then marked published. The row is its own outbox: no
 * relay polls for it, and a driver that shares a database with the engine never publishes the
 * engine's outbox rows or the other way round. If the send fails, a sweep sends it again from
 * the row; if the process dies between the broker's acknowledgement and the mark, the same
 * recorded event goes out once more, which consumers absorb (same action, attempt, status, `at`).
 *
 * Sends are group-committed: the events of every action that emit while one send is waiting for
 * the broker go together in the next send (the producer keeps one request in flight anyway, so
 * one send per event would queue behind each other). Each action awaits its own event before the
 * next, and batches leave in order, so one action's events stay in order.
 */
@Injectable()
export class DriverEventsPublisher {
  private readonly logger = new Logger('driver-events');
  private readonly sends: Batcher<DriverEventV1, void>;

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly actions: DriverActionRepository,
    private readonly metrics: DriverMetrics,
  ) {
    this.sends = new Batcher<DriverEventV1, void>(async (events) => {
      await this.bus.publish(
        Topic.DriverEvents,
        events.map((event) => ({ key: event.actionId, value: event })),
      );
      for (const event of events) this.metrics.events.inc({ status: event.status });
      return events.map(() => undefined);
    });
  }

  /** accepted and progress: worth little once stale, so a failed send is logged, not retried. */
  async publishTransient(event: DriverEventV1): Promise<void> {
    try {
      await this.send(event);
    } catch (error) {
      this.metrics.publishFailures.inc();
      this.logger.warn({
        msg: `could not publish ${event.status}: ${(error as Error).message}`,
        actionId: event.actionId,
        attempt: event.attempt,
      });
    }
  }

  /** Sends a recorded final event and marks it; false when the broker did not take it. */
  async publishRecorded(record: Pick<DriverActionRecord, 'actionId' | 'attempt' | 'finalEvent'>) {
    if (!record.finalEvent) return false;
    try {
      await this.send(record.finalEvent);
    } catch (error) {
      this.metrics.publishFailures.inc();
      this.logger.warn({
        msg: `could not publish the final event (will retry): ${(error as Error).message}`,
        actionId: record.actionId,
        attempt: record.attempt,
      });
      return false;
    }
    await this.actions.markPublished(record).catch((error: unknown) =>
      // Published but not marked: the sweep sends it again, an idempotent repeat.
      this.logger.warn(`could not mark ${record.actionId} published: ${String(error)}`),
    );
    return true;
  }

  /** Re-sends final events whose publisher failed or died. */
  async sweepUnpublished(graceMs: number): Promise<number> {
    let sent = 0;
    for (const record of await this.actions.unpublishedFinals(graceMs)) {
      if (await this.publishRecorded(record)) sent++;
    }
    return sent;
  }

  private send(event: DriverEventV1): Promise<void> {
    return this.sends.submit(event);
  }
}
