import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { decoderFor, type InventoryMessageV1, Topic } from '@reflex/contracts';
import { type IncomingMessage, MESSAGE_BUS, type MessageBus } from '@reflex/messaging';
import { InventoryService } from './inventory.service';

/** Consumer group of the engine's inventory consumer, and its name in the idempotency ledger. */
export const INVENTORY_CONSUMER_GROUP = 'reflex-engine.inventory';

/**
 * The `inventory` topic (CONTRACT §2): upserts and deletes from CMDB bridges. Invalid messages never
 * get here: the decoder's ValidationError sends them to the dead-letter topic.
 */
@Injectable()
export class InventoryConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly inventory: InventoryService,
  ) {}

  // Bootstrap rather than module init: every module's init (the bus creating its topics, the
  // database migrating) has finished by then, whatever order Nest initialises modules in.
  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe<InventoryMessageV1>({
      topic: Topic.Inventory,
      groupId: INVENTORY_CONSUMER_GROUP,
      decode: decoderFor('inventory-message.v1'),
      handle: (message) => this.handle(message),
    });
  }

  async handle(message: IncomingMessage<InventoryMessageV1>): Promise<void> {
    await this.inventory.applyMessage(message.value, {
      consumer: INVENTORY_CONSUMER_GROUP,
      messageId: message.messageId,
    });
  }
}
