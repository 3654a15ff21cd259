import {
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { KafkaMessageBus, MESSAGE_BUS, MessageBus } from '@reflex/messaging';
import type { CommonConfig } from '@reflex/config';
import { ReadinessCheck } from './readiness';

export const BUS_READINESS = Symbol('BUS_READINESS');

const STARTUP_RETRY_MS = { initial: 500, max: 5000, total: 120_000 };

class BusLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('messaging');
  constructor(@Inject(MESSAGE_BUS) private readonly bus: MessageBus) {}

  // A broker that is still starting (compose, Kubernetes) is waited for, not treated as fatal at once.
  async onModuleInit() {
    const deadline = Date.now() + STARTUP_RETRY_MS.total;
    for (
      let delay = STARTUP_RETRY_MS.initial;
      ;
      delay = Math.min(delay * 2, STARTUP_RETRY_MS.max)
    ) {
      try {
        await this.bus.ensureTopics();
        return;
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        this.logger.warn(
          `broker not reachable yet (${(error as Error).message}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async onApplicationShutdown() {
    await this.bus.close();
  }
}

/** Provides the message bus (MESSAGE_BUS) for the configured transport. */
@Module({})
export class MessagingModule {
  static forKafka(
    config: Pick<
      CommonConfig,
      | 'kafkaBrokers'
      | 'kafkaClientId'
      | 'kafkaSessionTimeoutMs'
      | 'kafkaFetchMaxWaitMs'
      | 'topicPrefix'
      | 'topicPartitions'
      | 'topicReplicationFactor'
    >,
  ): DynamicModule {
    const brokers = config.kafkaBrokers;
    if (!brokers) throw new Error('KAFKA_BROKERS is required for the Kafka transport');
    const busProvider = {
      provide: MESSAGE_BUS,
      useFactory: () =>
        new KafkaMessageBus({
          brokers,
          clientId: config.kafkaClientId,
          topicPrefix: config.topicPrefix,
          partitions: config.topicPartitions,
          replicationFactor: config.topicReplicationFactor,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
          fetchMaxWaitMs: config.kafkaFetchMaxWaitMs,
          logger: new Logger('kafka'),
        }),
    };
    const readiness = {
      provide: BUS_READINESS,
      useFactory: (bus: MessageBus): ReadinessCheck => ({
        name: 'kafka',
        check: () => bus.isHealthy(),
      }),
      inject: [MESSAGE_BUS],
    };
    return {
      module: MessagingModule,
      global: true,
      providers: [busProvider, readiness, BusLifecycle],
      exports: [MESSAGE_BUS, BUS_READINESS],
    };
  }
}
