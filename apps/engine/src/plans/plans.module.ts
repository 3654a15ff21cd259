import { Module } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { OutboxRepository, ProcessedMessageRepository } from '@reflex/persistence';
import { DataSource } from 'typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { ActionsController } from './actions.controller';
import { CapacityController } from './capacity.controller';
import { CapacityForecastRunner } from './capacity-forecast.runner';
import { CapacityForecastService } from './capacity-forecast.service';
import { DeferredIntentRepository } from './deferred-intent.repository';
import { DELIVERY_LEDGER } from './delivery-ledger';
import { DriverEventsConsumer } from './driver-events.consumer';
import { DriverInquiry } from './driver-inquiry.service';
import { KafkaDeliveryLedger } from './kafka-delivery-ledger.repository';
import { OutboxAttemptRepository } from './outbox-attempt.repository';
import { OutboxRelay } from './outbox-relay.service';
import { PlanApprovalsController } from './plan-approvals.controller';
import { PlanCommandsService } from './plan-commands.service';
import { PlanExecutor } from './plan-executor.service';
import { PlanIdResolver } from './plan-ids';
import { PlanMetrics } from './plan-metrics';
import { planningConfigProvider, planStateMachineProvider } from './plan-lifecycle';
import { PlanQueryRepository } from './plan-query.repository';
import { PlanTicker } from './plan-ticker.service';
import { PlanViewsService } from './plan-views.service';
import { PlanRepository } from './plan.repository';
import { PlanningService } from './planning.service';
import { PlansController } from './plans.controller';
import { FollowUpFailovers } from './follow-up-failovers.service';
import { PlanSignals } from './plan-signals';
import { RePlacementService } from './re-placement.service';
import { TransactionHooks } from './transaction-hooks';
import { WaitingIntentsService } from './waiting-intents.service';

/**
 * Plans: from a decision to a stored plan (PlanningService, called by intake inside its
 * transaction), execution (driver commands out through the outbox, driver events in, deadlines on
 * a timer, resume at start-up) and the REST API of plans and actions.
 */
@Module({
  imports: [InventoryModule],
  controllers: [PlanApprovalsController, PlansController, ActionsController, CapacityController],
  providers: [
    PlanRepository,
    PlanQueryRepository,
    DeferredIntentRepository,
    OutboxAttemptRepository,
    {
      provide: OutboxRepository,
      useFactory: (dataSource: DataSource) => new OutboxRepository(dataSource),
      inject: [DataSource],
    },
    { provide: ProcessedMessageRepository, useValue: new ProcessedMessageRepository() },
    {
      provide: DELIVERY_LEDGER,
      useFactory: (config: EngineConfig) =>
        config.kafkaBrokers
          ? new KafkaDeliveryLedger({
              brokers: config.kafkaBrokers,
              clientId: config.kafkaClientId,
              topicPrefix: config.topicPrefix,
            })
          : null,
      inject: [ENGINE_CONFIG],
    },
    planStateMachineProvider,
    planningConfigProvider,
    TransactionHooks,
    OutboxRelay,
    PlanExecutor,
    RePlacementService,
    FollowUpFailovers,
    PlanSignals,
    PlanMetrics,
    CapacityForecastRunner,
    CapacityForecastService,
    PlanningService,
    WaitingIntentsService,
    PlanCommandsService,
    PlanViewsService,
    PlanIdResolver,
    PlanTicker,
    DriverInquiry,
    DriverEventsConsumer,
  ],
  exports: [PlanningService, PlanCommandsService, CapacityForecastService],
})
export class PlansModule {}
