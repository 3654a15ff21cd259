import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Backoff } from '@reflex/common';
import { decoderFor } from '@reflex/contracts';
import type { DriverCommandV1 } from '@reflex/contracts/driver.v1';
import { Topic } from '@reflex/contracts/topics';
import { MESSAGE_BUS, type MessageBus } from '@reflex/messaging';
import { ActionRunner } from '../actions/action-runner.service';
import { HandleDriverCommand } from './handle-driver-command.usecase';

/** Every driver replica joins this group (prefixed with TOPIC_PREFIX by the bus). */
export const DRIVER_COMMANDS_CONSUMER = 'reflex-driver';

const RETRY = { initialMs: 1000, maxMs: 30_000 };

/**
 * `driver.commands` in. A message that is not a valid Driver command v1 is dead-lettered by the
 * bus; a failing step (database down) is retried there. Partitions run in parallel; one action's
 * commands (same key) stay in order.
 *
 * The subscription is not awaited at start-up: after a crash Kafka holds the dead member's
 * partitions until its session times out, and the join waits that long. Meanwhile the driver
 * already serves HTTP and reconciles its unfinished actions, which need no commands.
 */
@Injectable()
export class DriverCommandsConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('driver-commands');
  private readonly backoff = new Backoff(RETRY);

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly handler: HandleDriverCommand,
    private readonly runner: ActionRunner,
  ) {}

  onApplicationBootstrap(): void {
    void this.subscribe();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.bus.subscribe<DriverCommandV1>({
        topic: Topic.DriverCommands,
        groupId: DRIVER_COMMANDS_CONSUMER,
        decode: decoderFor('driver-command.v1'),
        // Shutting down, `admit` refuses: the command stays uncommitted for the replica that
        // gets the partition.
        handle: async (message) => {
          await this.runner.admit(() => this.handler.handle(message.value));
        },
        // What has piled up on a partition is claimed together; see HandleDriverCommand.handleAll.
        handleBatch: async (messages) => {
          await this.runner.admit(() => this.handler.handleAll(messages.map((m) => m.value)));
        },
        concurrency: 3,
      });
    } catch (error) {
      if (this.runner.stopping) return;
      const delay = this.backoff.next();
      this.logger.error(
        `subscribing to driver.commands failed (retrying in ${delay} ms): ${String(error)}`,
      );
      setTimeout(() => void this.subscribe(), delay).unref();
    }
  }
}
