import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlarmV1, decoderFor, Topic } from '@reflex/contracts';
import { IncomingMessage, MESSAGE_BUS, MessageBus } from '@reflex/messaging';
import { IngestAlarmUseCase } from './usecases/ingest-alarm/ingest-alarm.usecase';

/**
 * The `alarms` topic. Producers key alarms by resource id, so one resource's alarms share a partition
 * and arrive in order; partitions are decided in parallel. Invalid messages never reach the use
 * case: the bus dead-letters them with the validator's reason.
 */
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
        this.ingest
          .execute({ alarm: message.value, payload: message.value, channel: 'kafka' })
          .then(() => undefined),
    });
  }
}
