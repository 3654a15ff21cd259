import type { Consumer } from 'kafkajs';
import { Backoff, type BackoffPolicy } from '@reflex/common';
import type { SubscriptionStatus } from '../message-bus.port';
import type { BusLogger } from './kafka-log';

/** How one consumer of a subscription is made and started; the supervisor does the rest. */
export interface ConsumerLauncher {
  group: string;
  topic: string;
  /** A new, unconnected consumer for the subscription's group. */
  create(): Consumer;
  /** Connects, subscribes and runs `consumer`; throws when any of it fails. */
  launch(consumer: Consumer): Promise<void>;
}

/**
 * Keeps one subscription alive for as long as the process runs. kafkajs restarts a consumer by
 * itself after errors it calls retriable; a crash it will not restart from (the broker gone longer
 * than its retries, the coordinator lost) leaves the consumer dead, and so does a reconnect that
 * fails while the broker is still away. Every such failure schedules the next attempt with capped
 * backoff, with no limit on attempts: a subscription that gave up would leave the engine taking
 * alarms but never hearing that an action finished (issue 13).
 *
 * It also knows whether the subscription is up (joined its group) or since when it is down, which
 * `/readyz` and the `reflex_consumer_connected` gauge report.
 */
export class SupervisedConsumer {
  private consumer: Consumer | null = null;
  private downSince: Date | null;
  private downReason = 'starting';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(
    private readonly launcher: ConsumerLauncher,
    reconnect: BackoffPolicy,
    private readonly logger: BusLogger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.backoff = new Backoff(reconnect);
    this.downSince = now();
  }

  /** The first start: a failure is the caller's (start-up decides whether to retry or to fail). */
  async start(): Promise<void> {
    await this.launchOne();
  }

  status(): SubscriptionStatus {
    return {
      group: this.launcher.group,
      topic: this.launcher.topic,
      connected: this.downSince === null,
      downSince: this.downSince,
      reason: this.downSince === null ? null : this.downReason,
    };
  }

  /** Stops reconnecting and disconnects; waits for the handlers in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.disconnect();
  }

  private async launchOne(): Promise<void> {
    const consumer = this.launcher.create();
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.consumer === consumer) this.up();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (this.consumer !== consumer || this.stopped) return;
      const message = event.payload.error.message;
      this.down(`crashed: ${message}`);
      // kafkajs restarts it itself only when told so (it is not, see the bus); then GROUP_JOIN says when.
      if (event.payload.restart) return;
      this.consumer = null;
      void consumer.disconnect().catch(() => undefined);
      this.scheduleReconnect(`consumer ${this.launcher.group} crashed (${message})`);
    });
    try {
      await this.launcher.launch(consumer);
    } catch (error) {
      if (this.consumer === consumer) this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private scheduleReconnect(why: string): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.logger.warn(`${why}; reconnecting in ${delay} ms (attempt ${this.backoff.failures})`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.launchOne().catch((error: unknown) => {
        this.down(`reconnect failed: ${(error as Error).message}`);
        this.scheduleReconnect(
          `reconnect of ${this.launcher.group} failed (${(error as Error).message})`,
        );
      });
    }, delay);
    this.timer.unref();
  }

  private up(): void {
    if (this.downSince !== null && this.downReason !== 'starting') {
      const seconds = ((this.now().getTime() - this.downSince.getTime()) / 1000).toFixed(1);
      this.logger.log(
        `consumer ${this.launcher.group} on ${this.launcher.topic} is back after ${seconds} s down (${this.backoff.failures} reconnect attempt(s))`,
      );
    }
    this.downSince = null;
    this.backoff.reset();
  }

  private down(reason: string): void {
    this.downReason = reason;
    if (this.downSince === null) this.downSince = this.now();
  }
}
