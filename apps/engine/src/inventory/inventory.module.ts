import { Module } from '@nestjs/common';
import { ProcessedMessageRepository, UnitOfWork } from '@reflex/persistence';
import { GroupSliceRepository } from './group-slice.repository';
import { GroupStatusService } from './group-status.service';
import { GroupsController } from './groups.controller';
import { HostsController } from './hosts.controller';
import { InstancesController } from './instances.controller';
import { InventoryConsumer } from './inventory.consumer';
import { InventoryController } from './inventory.controller';
import { InventoryGlanceService } from './inventory-glance.service';
import { InventoryMetrics } from './inventory-metrics';
import { InventoryRepository } from './inventory.repository';
import { CellViews } from './cell-views';
import { InventorySnapshots } from './inventory-snapshots';
import { InventoryService } from './inventory.service';

/**
 * Hosts, instances and groups: REST, the `inventory` topic, group status. Other features use
 * InventoryService (reads, `groupStatus`, `applyChanges` inside their transaction).
 */
@Module({
  controllers: [InventoryController, HostsController, InstancesController, GroupsController],
  providers: [
    InventoryRepository,
    GroupSliceRepository,
    GroupStatusService,
    InventoryService,
    InventoryGlanceService,
    InventoryMetrics,
    InventorySnapshots,
    CellViews,
    InventoryConsumer,
    {
      provide: ProcessedMessageRepository,
      useFactory: (uow: UnitOfWork) => new ProcessedMessageRepository(uow),
      inject: [UnitOfWork],
    },
  ],
  exports: [
    InventoryService,
    InventoryGlanceService,
    InventoryRepository,
    InventorySnapshots,
    CellViews,
    GroupStatusService,
    ProcessedMessageRepository,
  ],
})
export class InventoryModule {}
