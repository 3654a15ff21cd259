import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlarmV1, decoderFor, Topic } from '@reflex/contracts';
import { IncomingMessage, MESSAGE_BUS, MessageBus } from '@reflex/messaging';
import type { IngestAlarmCommand } from '../decisions/ingest-alarm.command';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';

/**
 * The `alarms` topic. Producers key alarms by resource id, so one resource's alarms share a partition
 * and arrive in order; partitions are decided in parallel, each in batches of what it has waiting. Invalid messages never reach the use
 * case: the bus dead-letters them with the validator's reason.
 */
/** Alarms per transaction at most: long enough to amortise it, short enough to hold locks briefly. */
const BATCH = 200;

const command = (message: IncomingMessage<AlarmV1>): IngestAlarmCommand => ({
  alarm: message.value,
  payload: message.value,
  channel: 'kafka',
});

@Injectable()
export class AlarmsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly ingest: IngestAlarmUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe<AlarmV1>({
      topic: Topic.Alarms,
      groupId: 'reflex-engine.alarms',
      decode: decoderFor('alarm.v1'),
      concurrency: 3,
      handle: (message: IncomingMessage<AlarmV1>) =>
        this.ingest.execute(command(message)).then(() => undefined),
      // What a partition has waiting is decided in one transaction; if one alarm of it cannot be
      // stored, the bus retries them one by one and only that one is dead-lettered.
      handleBatch: (messages: IncomingMessage<AlarmV1>[]) =>
        this.ingest.executeBatch(messages.map(command)).then(() => undefined),
      maxBatchSize: BATCH,
    });
  }
}
