import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { DriverEventV1 } from '@reflex/contracts/driver.v1';
import { Topic } from '@reflex/contracts/topics';
import { decoderFor } from '@reflex/contracts';
import { MESSAGE_BUS, type MessageBus } from '@reflex/messaging';
import { DRIVER_EVENTS_CONSUMER, PlanCommandsService } from './plan-commands.service';

/**
 * `driver.events` in. An invalid message is dead-lettered by the bus; a failing step (database
 * down) is retried there. Partitions run in parallel; one action's events stay in order (key).
 */
@Injectable()
export class DriverEventsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly commands: PlanCommandsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe<DriverEventV1>({
      topic: Topic.DriverEvents,
      groupId: DRIVER_EVENTS_CONSUMER,
      decode: decoderFor('driver-event.v1'),
      handle: (message) => this.commands.recordDriverEvent(message.value),
      concurrency: 3,
    });
  }
}
