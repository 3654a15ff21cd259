import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ChangeFeedRepository, type Watermarks } from './change-feed.repository';

/** What changed since the previous message (GET /v1/changes). */
export interface Change {
  /** Plans whose state, actions or progress changed. */
  plans: string[];
  /** New alarms were received. */
  alarms: boolean;
  /** The inventory changed. */
  inventory: boolean;
}

export interface ChangeSubscriber {
  send(change: Change): void;
  /** The engine is shutting down: finish the stream. */
  end(): void;
}

/** Under a second from a change to the console, as issue 21 asks, at two small reads a tick. */
export const CHANGE_POLL_MS = 250;

/**
 * Tells live consoles what changed. It polls the database rather than listening to this process's
 * own events, so a change made by another engine replica (or a driver event it consumed) shows
 * too. One poll per process, whatever the number of consoles, and none while no console listens.
 */
@Injectable()
export class ChangeFeed implements OnModuleDestroy {
  private readonly logger = new Logger('console');
  private readonly subscribers = new Set<ChangeSubscriber>();
  private timer: NodeJS.Timeout | null = null;
  private last: Watermarks | null = null;
  private polling = false;
  private failing = false;

  constructor(private readonly repository: ChangeFeedRepository) {}

  subscribe(subscriber: ChangeSubscriber): () => void {
    this.subscribers.add(subscriber);
    this.timer ??= setInterval(() => void this.poll(), CHANGE_POLL_MS);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.stop();
    };
  }

  onModuleDestroy(): void {
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.last = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = await this.repository.watermarks();
      const before = this.last;
      this.last = now;
      if (this.failing) this.logger.log('change feed reads again');
      this.failing = false;
      if (!before) return;
      const change = await this.changeBetween(before, now);
      if (change.plans.length || change.alarms || change.inventory) {
        for (const subscriber of this.subscribers) subscriber.send(change);
      }
    } catch (error) {
      // The consoles keep what they show and catch up at the next good poll.
      if (!this.failing) this.logger.warn(`change feed cannot read: ${String(error)}`);
      this.failing = true;
    } finally {
      this.polling = false;
    }
  }

  private async changeBetween(before: Watermarks, now: Watermarks): Promise<Change> {
    const plans = new Set(
      now.planEvent !== before.planEvent
        ? await this.repository.plansChangedAfter(before.planEvent)
        : [],
    );
    for (const [planId, progress] of now.progress) {
      if (before.progress.get(planId) !== progress) plans.add(planId);
    }
    return {
      plans: [...plans],
      alarms: now.alarm !== before.alarm,
      inventory: now.inventory !== before.inventory,
    };
  }
}
