import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import {
  ACTION_STATES,
  ACTION_TYPES,
  ON_FAILURE,
  PLAN_MODES,
  PLAN_STATES,
  POLICIES,
} from '@reflex/contracts/plan.v1';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../plans/plan-query';

/** OpenAPI shapes of the plans API (CONTRACT §6), and the decorators its controllers share. */

const text: SchemaObject = { type: 'string' };
const nullableText: SchemaObject = { type: 'string', nullable: true };
const time: SchemaObject = { type: 'string', format: 'date-time', nullable: true };

export const ACTION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'planId', 'seq', 'type', 'params', 'dependsOn', 'state', 'attempts', 'progress'],
  properties: {
    id: text,
    planId: text,
    seq: { type: 'integer' },
    type: { type: 'string', enum: [...ACTION_TYPES] },
    params: { type: 'object', additionalProperties: true },
    dependsOn: { type: 'array', items: text },
    state: { type: 'string', enum: [...ACTION_STATES] },
    attempts: { type: 'integer' },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    startedAt: time,
    finishedAt: time,
    error: nullableText,
    compensationFor: nullableText,
    unusableHostIds: {
      type: 'array',
      items: text,
      description: 'moves only: destinations found unusable, oldest first (re-placed from each)',
    },
  },
};

export const PLAN_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'state', 'policy', 'mode', 'target', 'trigger', 'actions'],
  properties: {
    id: text,
    state: { type: 'string', enum: [...PLAN_STATES] },
    policy: { type: 'string', enum: [...POLICIES] },
    mode: { type: 'string', enum: [...PLAN_MODES] },
    onFailure: { type: 'string', enum: [...ON_FAILURE] },
    target: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['host', 'instance', 'group'] }, id: text },
    },
    trigger: {
      type: 'object',
      properties: {
        alarmId: text,
        source: text,
        rule: text,
        ruleVersion: { type: 'integer' },
        ruleHash: text,
      },
    },
    reason: { ...nullableText, description: 'why the plan is blocked, or what it could not do' },
    explanation: { type: 'object', additionalProperties: true, nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: time,
    finishedAt: time,
    supersededBy: nullableText,
    actions: { type: 'array', items: ACTION_SCHEMA },
  },
};

export const TIMELINE_ENTRY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: text,
    at: { type: 'string', format: 'date-time' },
    planId: text,
    actionId: nullableText,
    type: { type: 'string', enum: ['plan.state', 'action.state', 'action.command', 'plan.note'] },
    from: nullableText,
    to: nullableText,
    detail: { type: 'object', additionalProperties: true },
    action: {
      ...nullableText,
      description: "the entry's action as an operator names it: `evacuate vm-1 cmp-04 -> cmp-07`",
    },
    actions: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description:
        'the other actions `detail` refers to by id (`failed`, `dependency`, `by`), named',
    },
  },
};

export const pageOfSchema = (items: SchemaObject): SchemaObject => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items }, nextCursor: nullableText },
});

export const ACTOR_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    by: {
      type: 'string',
      description:
        "a note for the timeline (`note`); the actor recorded is always the token's name",
    },
    reason: { type: 'string' },
  },
};

const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: text, message: text, details: {} },
    },
  },
};

export const ApiError = (status: 400 | 404 | 409, description: string) =>
  ApiResponse({ status, description, schema: ERROR_SCHEMA });

export const ApiId = (what: string) =>
  ApiParam({
    name: 'id',
    description:
      what === 'plan'
        ? "the plan's id (uuid), or a unique prefix of it of at least 8 characters (409 naming the candidates when several plans share it)"
        : `the ${what}'s id (uuid)`,
    schema: { type: 'string' },
  });

export const ApiFilter = (name: string, values: readonly string[] | null, description: string) =>
  ApiQuery({
    name,
    required: false,
    description,
    schema: values ? { type: 'string', enum: [...values] } : { type: 'string' },
  });

/** `limit` and `cursor`; `byDefault` is the page size without `limit` (and `why`, if it differs). */
export const ApiPaging = (byDefault = DEFAULT_LIMIT, why = '') =>
  applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      description: `page size, 1-${MAX_LIMIT} (default ${byDefault}${why})`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: 'the `nextCursor` of the previous page',
      schema: { type: 'string' },
    }),
    ApiError(400, 'a filter, `limit` or `cursor` is invalid'),
  );
