import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { PlanningService } from '../planning/planning.service';
import { PlansModule } from '../plans.module';
import { RulesModule } from '../rules/rules.module';
import { AlarmIntakeController } from './alarm-intake.controller';
import { AlarmQueryRepository } from './alarm-query.repository';
import { AlarmRepository } from '../decisions/alarm.repository';
import { AlarmsConsumer } from './alarms.consumer';
import { AlarmsController } from './alarms.controller';
import { CapacityAlarmRepository } from './capacity-alarm.repository';
import { CapacityWatch } from './capacity-watch.service';
import { MaintenanceController } from './maintenance.controller';
import { OpenMaintenanceReader } from './open-maintenance';
import { PLAN_GATEWAY } from '../decisions/plan-gateway';
import { IngestAlarmUseCase } from '../decisions/ingest-alarm.usecase';
import { IngestWebhookUseCase } from './ingest-webhook.usecase';

/**
 * Where alarms enter: the `alarms` topic, the HTTP webhooks, maintenance requests, and the alarms
 * Reflex raises itself (the capacity watch).
 */
@Module({
  imports: [InventoryModule, RulesModule, PlansModule],
  controllers: [AlarmIntakeController, AlarmsController, MaintenanceController],
  providers: [
    AlarmRepository,
    AlarmQueryRepository,
    IngestAlarmUseCase,
    IngestWebhookUseCase,
    AlarmsConsumer,
    OpenMaintenanceReader,
    CapacityAlarmRepository,
    CapacityWatch,
    { provide: PLAN_GATEWAY, useExisting: PlanningService },
  ],
})
export class IntakeModule {}
