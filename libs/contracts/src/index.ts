export * from './alarm.v1';
export * from './api';
export * from './driver.v1';
export * from './inventory.v1';
export * from './plan.v1';
export * from './topics';
export * from './validation/message-kinds';
export { commandParams } from './validation/command-params';
export { describeFieldError, pointer, toFieldErrors } from './validation/field-errors';
export { MAX_JSON_DEPTH } from './validation/json-limits';
export * from './validation/message-validator';
export {
  MESSAGE_SCHEMAS,
  SHARED_SCHEMAS,
  schemaById,
  schemaOf,
} from './validation/schema-registry';
