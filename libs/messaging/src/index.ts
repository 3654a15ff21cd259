export * from './message-bus.port';
export * from './message-handling';
export * from './kafka/kafka-message-bus';
export * from './in-process/in-process-message-bus';
