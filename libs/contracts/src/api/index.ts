// The REST API's answers as types, for the engine's controllers and for its clients (the reflex
// command line, the demo), so that neither side types a response of its own.
export * from './alarms.api';
export * from './inventory.api';
export * from './page';
export * from './plans.api';
export * from './rules.api';
