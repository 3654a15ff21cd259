/**
 * Kafka topic names (CONTRACT.md §2). WARNING: these names are public. Renaming one is a migration
 * for every deployment (consumers, ACLs, retention settings), not a refactor.
 */
export enum Topic {
  Alarms = 'alarms',
  Inventory = 'inventory',
  DriverCommands = 'driver.commands',
  DriverEvents = 'driver.events',
  Plans = 'plans',
  AlarmsDlq = 'alarms.dlq',
}

/** The physical topic name for a logical topic, with the deployment's `TOPIC_PREFIX`. */
export function topicName(topic: Topic, prefix = ''): string {
  return `${prefix}${topic}`;
}

export const DLQ_HEADER_ERROR = 'x-error';
export const DLQ_HEADER_SOURCE_TOPIC = 'x-source-topic';
