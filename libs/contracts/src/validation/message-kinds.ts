import type { AlarmV1 } from '../alarm.v1';
import type { DriverCommandV1, DriverEventV1 } from '../driver.v1';
import type { GroupV1, HostV1, InstanceV1, InventoryMessageV1, InventoryV1 } from '../inventory.v1';
import type { PlanEventV1 } from '../plan.v1';
import { Topic } from '../topics';

/** Every message shape the validator knows, named `<thing>.v<major>` like the schema files. */
export const MESSAGE_KINDS = [
  'alarm.v1',
  'inventory.v1',
  'inventory-message.v1',
  'driver-command.v1',
  'driver-event.v1',
  'plan-event.v1',
  'host.v1',
  'instance.v1',
  'group.v1',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export interface MessageTypes {
  'alarm.v1': AlarmV1;
  'inventory.v1': InventoryV1;
  'inventory-message.v1': InventoryMessageV1;
  'driver-command.v1': DriverCommandV1;
  'driver-event.v1': DriverEventV1;
  'plan-event.v1': PlanEventV1;
  'host.v1': HostV1;
  'instance.v1': InstanceV1;
  'group.v1': GroupV1;
}
export type MessageOf<K extends MessageKind> = MessageTypes[K];

export function isMessageKind(value: unknown): value is MessageKind {
  return typeof value === 'string' && (MESSAGE_KINDS as readonly string[]).includes(value);
}

/**
 * What each topic carries. The dead-letter topic carries rejected messages verbatim, so it has no
 * kind and must never be validated.
 */
export const TOPIC_MESSAGE_KINDS: Readonly<Record<Topic, MessageKind | null>> = {
  [Topic.Alarms]: 'alarm.v1',
  [Topic.Inventory]: 'inventory-message.v1',
  [Topic.DriverCommands]: 'driver-command.v1',
  [Topic.DriverEvents]: 'driver-event.v1',
  [Topic.Plans]: 'plan-event.v1',
  [Topic.AlarmsDlq]: null,
};

const MIB = 1024 * 1024;

/**
 * Largest raw message `parseAndValidate` reads, per kind. Messages stay under Kafka's default 1 MiB
 * `message.max.bytes`; only the whole inventory (a REST body) is allowed to be large.
 */
export const MAX_MESSAGE_BYTES: Readonly<Record<MessageKind, number>> = {
  'alarm.v1': MIB,
  'inventory.v1': 64 * MIB,
  'inventory-message.v1': MIB,
  'driver-command.v1': MIB,
  'driver-event.v1': MIB,
  'plan-event.v1': MIB,
  'host.v1': MIB,
  'instance.v1': MIB,
  'group.v1': MIB,
};
