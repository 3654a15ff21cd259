import { Module } from '@nestjs/common';
import { InventoryModule } from '../inventory/inventory.module';
import { DryRunRunner } from './dry-run.runner';
import { RuleRegistry } from './rule-registry.service';
import { RuleVersionRepository } from './rule-version.repository';
import { RulesController } from './rules.controller';

/** Operator-authored rules: loading, versions, hot reload, dry runs. */
@Module({
  imports: [InventoryModule],
  controllers: [RulesController],
  providers: [RuleVersionRepository, RuleRegistry, DryRunRunner],
  exports: [RuleRegistry],
})
export class RulesModule {}
