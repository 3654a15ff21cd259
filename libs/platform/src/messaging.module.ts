import {
  DynamicModule,
  Inject,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { retryFor } from '@reflex/common';
import { KafkaMessageBus, MESSAGE_BUS, MessageBus } from '@reflex/messaging';
import type { CommonConfig } from '@reflex/config';
import { busReadiness } from './bus-readiness';
import { ReadinessCheck } from './readiness';

export const BUS_READINESS = Symbol('BUS_READINESS');

const STARTUP_RETRY_MS = { initialMs: 500, maxMs: 5000, totalMs: 120_000 };

class BusLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('messaging');
  constructor(@Inject(MESSAGE_BUS) private readonly bus: MessageBus) {}

  // A broker that is still starting (compose, Kubernetes) is waited for, not treated as fatal at once.
  async onModuleInit() {
    await retryFor(() => this.bus.ensureTopics(), {
      ...STARTUP_RETRY_MS,
      onRetry: (error, delay) =>
        this.logger.warn(
          `broker not reachable yet (${(error as Error).message}); retrying in ${delay} ms`,
        ),
    });
  }

  async onApplicationShutdown() {
    await this.bus.close();
  }
}

/** Topics are created at start-up as with Kafka; the shared bus is closed by its owner. */
class SharedBusLifecycle implements OnModuleInit {
  constructor(@Inject(MESSAGE_BUS) private readonly bus: MessageBus) {}

  async onModuleInit() {
    await this.bus.ensureTopics();
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
      | 'kafkaConsumerGraceMs'
      | 'topicPrefix'
      | 'topicPartitions'
      | 'topicReplicationFactor'
    >,
  ): DynamicModule {
    const brokers = config.kafkaBrokers;
    const busProvider = {
      provide: MESSAGE_BUS,
      // Checked when the bus is built rather than here, so that `MessagingModule.override` can give
      // a module registered for Kafka another transport (the all-in-one mode, without KAFKA_BROKERS).
      useFactory: () => {
        if (!brokers) throw new Error('KAFKA_BROKERS is required for the Kafka transport');
        return new KafkaMessageBus({
          brokers,
          clientId: config.kafkaClientId,
          topicPrefix: config.topicPrefix,
          partitions: config.topicPartitions,
          replicationFactor: config.topicReplicationFactor,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
          fetchMaxWaitMs: config.kafkaFetchMaxWaitMs,
          logger: new Logger('kafka'),
        });
      },
    };
    const readiness = {
      provide: BUS_READINESS,
      useFactory: (bus: MessageBus): ReadinessCheck =>
        busReadiness('kafka', bus, config.kafkaConsumerGraceMs),
      inject: [MESSAGE_BUS],
    };
    return {
      module: MessagingModule,
      global: true,
      providers: [busProvider, readiness, BusLifecycle],
      exports: [MESSAGE_BUS, BUS_READINESS],
    };
  }

  /**
   * A bus made and owned by the caller, e.g. the one InProcessMessageBus that the engine and the
   * driver of the all-in-one process share. Each app creates its topics on it, but none closes it:
   * the owner does, once every app sharing it has stopped.
   */
  static forInstance(bus: MessageBus, readinessName = 'bus'): DynamicModule {
    const readiness = {
      provide: BUS_READINESS,
      useFactory: (): ReadinessCheck => busReadiness(readinessName, bus, 0),
    };
    return {
      module: MessagingModule,
      global: true,
      providers: [{ provide: MESSAGE_BUS, useFactory: () => bus }, readiness, SharedBusLifecycle],
      exports: [MESSAGE_BUS, BUS_READINESS],
    };
  }

  /**
   * `root` (a service module such as `EngineModule.register(config)`) with its MessagingModule
   * import replaced by `messaging`: the service's own modules, providers and code paths stay the
   * same, only the transport differs. Throws if `root` imports no MessagingModule, so a refactor
   * that moves the import cannot silently leave the service on the wrong transport.
   */
  static override(root: DynamicModule, messaging: DynamicModule): DynamicModule {
    const imports = root.imports ?? [];
    const isMessaging = (entry: unknown) =>
      typeof entry === 'object' &&
      entry !== null &&
      (entry as DynamicModule).module === MessagingModule;
    if (!imports.some(isMessaging)) {
      throw new Error(`${root.module.name} imports no MessagingModule to override`);
    }
    return { ...root, imports: imports.map((entry) => (isMessaging(entry) ? messaging : entry)) };
  }
}
