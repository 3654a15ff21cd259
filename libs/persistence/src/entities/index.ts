import { ActionEntity } from './action.entity';
import { AlarmEntity } from './alarm.entity';
import { GroupEntity } from './group.entity';
import { HostEntity } from './host.entity';
import { InstanceEntity } from './instance.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { PlanEventEntity } from './plan-event.entity';
import { PlanEntity } from './plan.entity';
import { ProcessedMessageEntity } from './processed-message.entity';
import { RuleVersionEntity } from './rule-version.entity';

export * from './action.entity';
export * from './alarm.entity';
export * from './group.entity';
export * from './host.entity';
export * from './instance.entity';
export * from './outbox-message.entity';
export * from './plan-event.entity';
export * from './plan.entity';
export * from './processed-message.entity';
export * from './rule-version.entity';

/** Listed explicitly, never by glob: the apps are bundled by webpack, where globs find nothing. */
export const ENTITIES = [
  HostEntity,
  InstanceEntity,
  GroupEntity,
  RuleVersionEntity,
  PlanEntity,
  ActionEntity,
  PlanEventEntity,
  AlarmEntity,
  OutboxMessageEntity,
  ProcessedMessageEntity,
];
