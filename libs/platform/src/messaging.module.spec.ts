import { Module, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InProcessMessageBus, MESSAGE_BUS } from '@reflex/messaging';
import { BUS_READINESS, MessagingModule } from './messaging.module';
import type { ReadinessCheck } from './readiness';

const kafkaConfig = {
  kafkaBrokers: null,
  kafkaClientId: 'test',
  kafkaSessionTimeoutMs: 10_000,
  kafkaFetchMaxWaitMs: 500,
  kafkaConsumerGraceMs: 30_000,
  topicPrefix: '',
  topicPartitions: 3,
  topicReplicationFactor: 1,
};

@Module({})
class ServiceModule {}

const service = (): DynamicModule => ({
  module: ServiceModule,
  imports: [MessagingModule.forKafka(kafkaConfig)],
});

describe('MessagingModule', () => {
  it('builds a module for Kafka without brokers, and fails only when the bus is made', async () => {
    await expect(Test.createTestingModule({ imports: [service()] }).compile()).rejects.toThrow(
      'KAFKA_BROKERS is required',
    );
  });

  it('overrides the transport of a service module with a shared bus that it does not close', async () => {
    const bus = new InProcessMessageBus();
    const root = MessagingModule.override(service(), MessagingModule.forInstance(bus));
    const app = await Test.createTestingModule({ imports: [root] }).compile();
    await app.init();
    expect(app.get(MESSAGE_BUS)).toBe(bus);
    const readiness = app.get<ReadinessCheck>(BUS_READINESS);
    expect(readiness.name).toBe('bus');
    await app.close();
    expect(await bus.isHealthy()).toBe(true);
    await bus.close();
    expect(await readiness.check()).toBe(false);
  });

  it('refuses to override a module that imports no MessagingModule', () => {
    const bus = new InProcessMessageBus();
    expect(() =>
      MessagingModule.override({ module: ServiceModule }, MessagingModule.forInstance(bus)),
    ).toThrow('ServiceModule imports no MessagingModule to override');
  });
});
