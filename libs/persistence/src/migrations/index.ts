import { Inventory1795213200000 } from './1795213200000-inventory';
import { Plans1795213260000 } from './1795213260000-plans';
import { AlarmsAndRules1795213320000 } from './1795213320000-alarms-and-rules';
import { Messaging1795213380000 } from './1795213380000-messaging';
import { PlanExecution1795213620000 } from './1795213620000-plan-execution';
import { Driver1795213680000 } from './1795213680000-driver';
import { Audit1795213740000 } from './1795213740000-audit';
import { SimulatorRows1795300000000 } from './1795300000000-simulator-rows';
import { InventoryVersion1795320000000 } from './1795320000000-inventory-version';
import { ActionInquiry1795400000000 } from './1795400000000-action-inquiry';
import { UnmappedAlarms1795450000000 } from './1795450000000-unmapped-alarms';
import { RePlacement1795500000000 } from './1795500000000-re-placement';
import { FailureDomains1795510000000 } from './1795510000000-failure-domains';
import { AuditViews1795600000000 } from './1795600000000-audit-views';
import { ConditionsFailed1795620000000 } from './1795620000000-conditions-failed';
import { PlanningCells1795700000000 } from './1795700000000-planning-cells';

/**
 * Every migration, oldest first, listed explicitly: the apps are bundled by webpack, where a glob
 * over `migrations/*.js` finds nothing. A new migration is a new file here with a later timestamp;
 * a migration that has shipped is never edited.
 */
export const MIGRATIONS = [
  Inventory1795213200000,
  Plans1795213260000,
  AlarmsAndRules1795213320000,
  Messaging1795213380000,
  PlanExecution1795213620000,
  Driver1795213680000,
  Audit1795213740000,
  SimulatorRows1795300000000,
  InventoryVersion1795320000000,
  ActionInquiry1795400000000,
  UnmappedAlarms1795450000000,
  RePlacement1795500000000,
  FailureDomains1795510000000,
  AuditViews1795600000000,
  ConditionsFailed1795620000000,
  PlanningCells1795700000000,
];
