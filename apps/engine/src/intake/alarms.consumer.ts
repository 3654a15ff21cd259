import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlarmV1, decoderFor, Topic } from '@reflex/contracts';
import { IncomingMessage, MESSAGE_BUS, MessageBus } from '@reflex/messaging';
import { Coalescer } from '@reflex/common';
import type { IngestAlarmCommand, IngestAlarmResult } from '../decisions/ingest-alarm.command';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';

/**
 * The `alarms` topic. Producers key alarms by resource id, so one resource's alarms share a partition
 * and arrive in order. What the partitions of one fetch have waiting is decided together, in one
 * transaction (each partition's alarms in their order): they all plan in the same cells, whose
 * planning locks a transaction per partition took one after another, so a fetch cost as many
 * critical sections as it had partitions. Invalid messages never reach the use case: the bus
 * dead-letters them with the validator's reason.
 */
/** Alarms per partition's slice, and per transaction: enough to amortise a transaction, few enough
 * to hold its locks briefly. */
const BATCH = 200;
const PER_TRANSACTION = 1_000;
/** Partitions handed over at once: every partition of a fetch, for as many as a deployment has. */
const PARTITIONS_AT_ONCE = 32;

const command = (message: IncomingMessage<AlarmV1>): IngestAlarmCommand => ({
  alarm: message.value,
  payload: message.value,
  channel: 'kafka',
});

@Injectable()
export class AlarmsConsumer implements OnApplicationBootstrap {
  private readonly together: Coalescer<IngestAlarmCommand, IngestAlarmResult>;

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly ingest: IngestAlarmUseCase,
  ) {
    this.together = new Coalescer((commands) => ingest.executeBatch(commands), PER_TRANSACTION);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe<AlarmV1>({
      topic: Topic.Alarms,
      groupId: 'reflex-engine.alarms',
      decode: decoderFor('alarm.v1'),
      concurrency: PARTITIONS_AT_ONCE,
      handle: (message: IncomingMessage<AlarmV1>) =>
        this.ingest.execute(command(message)).then(() => undefined),
      // If one alarm of a partition's batch cannot be stored, the other partitions' batches are
      // decided without it, and the bus retries that one's alarms one by one: only the bad one is
      // dead-lettered.
      handleBatch: (messages: IncomingMessage<AlarmV1>[]) =>
        this.together.submit(messages.map(command)).then(() => undefined),
      maxBatchSize: BATCH,
    });
  }
}
