export * from './message-bus.port';
export * from './message-handling';
export * from './kafka/kafka-message-bus';
