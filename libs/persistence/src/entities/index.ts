import { ActionEntity } from './action.entity';
import { AlarmEntity } from './alarm.entity';
import { DeferredIntentEntity } from './deferred-intent.entity';
import { DriverActionEntity } from './driver-action.entity';
import { GroupEntity } from './group.entity';
import { HostEntity } from './host.entity';
import { InstanceEntity } from './instance.entity';
import { OutboxAttemptEntity } from './outbox-attempt.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { PlanEventEntity } from './plan-event.entity';
import { PlanEntity } from './plan.entity';
import { ProcessedMessageEntity } from './processed-message.entity';
import { RuleVersionEntity } from './rule-version.entity';
import { SIMULATOR_ENTITIES } from './simulator-state.entity';

export * from './action.entity';
export * from './alarm.entity';
export * from './deferred-intent.entity';
export * from './driver-action.entity';
export * from './group.entity';
export * from './host.entity';
export * from './instance.entity';
export * from './outbox-attempt.entity';
export * from './outbox-message.entity';
export * from './plan-event.entity';
export * from './plan.entity';
export * from './processed-message.entity';
export * from './rule-version.entity';
export * from './simulator-state.entity';

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
  DeferredIntentEntity,
  OutboxAttemptEntity,
  DriverActionEntity,
  ...SIMULATOR_ENTITIES,
];
