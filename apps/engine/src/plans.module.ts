import { Module } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from '@reflex/config';
import { OutboxRepository, UnitOfWork } from '@reflex/persistence';
import { InventoryModule } from './inventory/inventory.module';
import { ActionsController } from './operator-api/actions.controller';
import { CapacityController } from './operator-api/capacity.controller';
import { CapacityForecastRunner } from './planning/capacity-forecast.runner';
import { CapacityForecastService } from './planning/capacity-forecast.service';
import { DeferredIntentRepository } from './plans/deferred-intent.repository';
import { DELIVERY_LEDGER } from './outbox/delivery-ledger';
import { DriverEventsConsumer } from './execution/driver-events.consumer';
import { DriverInquiry } from './execution/driver-inquiry.service';
import { KafkaDeliveryLedger } from './outbox/kafka-delivery-ledger.repository';
import { OutboxAttemptRepository } from './outbox/outbox-attempt.repository';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { PlanApprovalsController } from './operator-api/plan-approvals.controller';
import { PlanCommandsService } from './execution/plan-commands.service';
import { PlanExecutor } from './execution/plan-executor.service';
import { PlanIdResolver } from './operator-api/plan-ids';
import { PlanMetrics } from './execution/plan-metrics';
import { planningConfigProvider, planStateMachineProvider } from './plans/plan-lifecycle';
import { PlanQueryRepository } from './plans/plan-query.repository';
import { DuePlansRepository } from './execution/due-plans.repository';
import { PlanTicker, WAITING_DECISIONS } from './execution/plan-ticker.service';
import { PlanViewsService } from './operator-api/plan-views.service';
import { PlanRepository } from './plans/plan.repository';
import { LivePlans } from './planning/live-plans';
import { PlanningService } from './planning/planning.service';
import { PlansController } from './operator-api/plans.controller';
import { FollowUpFailovers } from './execution/follow-up-failovers.service';
import { PlanSignals } from './execution/plan-signals';
import { RePlacementService } from './execution/re-placement.service';
import { PlanLocks } from './plans/plan-locks';
import { WaitingIntentsService } from './planning/waiting-intents.service';

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
    DuePlansRepository,
    PlanQueryRepository,
    DeferredIntentRepository,
    OutboxAttemptRepository,
    {
      provide: OutboxRepository,
      useFactory: (uow: UnitOfWork) => new OutboxRepository(uow),
      inject: [UnitOfWork],
    },
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
    PlanLocks,
    OutboxRelay,
    PlanExecutor,
    RePlacementService,
    FollowUpFailovers,
    PlanSignals,
    PlanMetrics,
    CapacityForecastRunner,
    CapacityForecastService,
    PlanningService,
    LivePlans,
    WaitingIntentsService,
    { provide: WAITING_DECISIONS, useExisting: WaitingIntentsService },
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
