import Ajv2020, { type AnySchemaObject, type ValidateFunction } from 'ajv/dist/2020';
import { fullFormats } from 'ajv-formats/dist/formats';
import actionParamsSchema from '../schemas/action-params.v1.schema.json';
import alarmSchema from '../schemas/alarm.v1.schema.json';
import commonSchema from '../schemas/common.v1.schema.json';
import driverCommandSchema from '../schemas/driver-command.v1.schema.json';
import driverEventSchema from '../schemas/driver-event.v1.schema.json';
import groupSchema from '../schemas/group.v1.schema.json';
import hostSchema from '../schemas/host.v1.schema.json';
import instanceSchema from '../schemas/instance.v1.schema.json';
import inventoryMessageSchema from '../schemas/inventory-message.v1.schema.json';
import inventorySchema from '../schemas/inventory.v1.schema.json';
import planEventSchema from '../schemas/plan-event.v1.schema.json';
import type { MessageKind } from './message-kinds';

/** The root schema of each message kind; the `$ref`ed building blocks are in `SHARED_SCHEMAS`. */
export const MESSAGE_SCHEMAS: Readonly<Record<MessageKind, AnySchemaObject>> = {
  'alarm.v1': alarmSchema,
  'inventory.v1': inventorySchema,
  'inventory-message.v1': inventoryMessageSchema,
  'driver-command.v1': driverCommandSchema,
  'driver-event.v1': driverEventSchema,
  'plan-event.v1': planEventSchema,
  'host.v1': hostSchema,
  'instance.v1': instanceSchema,
  'group.v1': groupSchema,
};

/** Schemas that only hold `$defs` for the others. */
export const SHARED_SCHEMAS: readonly AnySchemaObject[] = [commonSchema, actionParamsSchema];

const rfc3339 = fullFormats['date-time'] as { validate: (value: string) => boolean };

/**
 * RFC 3339 date-time (ajv-formats' full check: real calendar dates, a time zone), except year 0000,
 * which RFC 3339 allows but neither PostgreSQL nor JavaScript's ISO reading of it can store: such
 * an alarm passed validation and then failed every insert, a Kafka message retried forever.
 */
const storableDateTime = {
  type: 'string' as const,
  validate: (value: string) => rfc3339.validate(value) && !value.startsWith('0000'),
};

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    // `string | null` is how the contract spells optional-but-explicit fields.
    allowUnionTypes: true,
    // The formatter reads `parentSchema.description` to say what a pattern means.
    verbose: true,
  });
  ajv.addFormat('date-time', storableDateTime);
  ajv.addSchema([...SHARED_SCHEMAS, ...Object.values(MESSAGE_SCHEMAS)]);
  return ajv;
}

// One instance for the process: compiling is the expensive part, and doing it once at load means a
// broken schema fails start-up (and the unit tests) instead of the first message.
const ajv = createAjv();

function compile(schema: AnySchemaObject): ValidateFunction {
  const validate = typeof schema.$id === 'string' ? ajv.getSchema(schema.$id) : undefined;
  if (!validate) throw new Error(`schema ${String(schema.$id)} is not registered`);
  return validate;
}

const compiled = Object.fromEntries(
  Object.entries(MESSAGE_SCHEMAS).map(([kind, schema]) => [kind, compile(schema)]),
) as Record<MessageKind, ValidateFunction>;

export function compiledValidator(kind: MessageKind): ValidateFunction {
  return compiled[kind];
}

/** The JSON Schema of a kind, e.g. for the OpenAPI document. Shared `$ref`s point to `schemaById`. */
export function schemaOf(kind: MessageKind): AnySchemaObject {
  return MESSAGE_SCHEMAS[kind];
}

export function schemaById(id: string): AnySchemaObject | undefined {
  return [...SHARED_SCHEMAS, ...Object.values(MESSAGE_SCHEMAS)].find((schema) => schema.$id === id);
}
