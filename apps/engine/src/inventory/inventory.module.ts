import { Module } from '@nestjs/common';

/** Hosts, instances and groups: REST, the `inventory` topic, group status. */
@Module({})
export class InventoryModule {}
