import { Module } from '@nestjs/common';
import { StatsController } from './stats.controller';
import { StatsRepository } from './stats.repository';

/** Read-only audit views across alarms and plans. */
@Module({ controllers: [StatsController], providers: [StatsRepository] })
export class AuditModule {}
