import { applyDecorators, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { RequireRole } from '@reflex/platform';
import { ACTOR_SCHEMA, ApiError, ApiId } from './plan-api.schemas';

export interface OperatorCommandDoc {
  /** What the command does, and its answer: `answer` is the description of the `status` body. */
  summary: string;
  description: string;
  status: 200 | 202;
  answer: string;
  schema: SchemaObject;
  /** When the plan or action is not in a state this command applies to. */
  conflict: string;
}

/**
 * `POST :id/<verb>` on one plan or action, for operators: the optional actor body, 404 when there
 * is no such plan or action, 409 `conflict`. The handler takes the id, the body and the caller.
 */
export const OperatorCommand = (on: 'plan' | 'action', verb: string, doc: OperatorCommandDoc) =>
  applyDecorators(
    Post(`:id/${verb}`),
    RequireRole('operator'),
    HttpCode(doc.status),
    ApiOperation({ summary: doc.summary, description: doc.description }),
    ApiId(on),
    ApiBody({ required: false, schema: ACTOR_SCHEMA }),
    ApiResponse({ status: doc.status, description: doc.answer, schema: doc.schema }),
    ApiError(404, `no such ${on}`),
    ApiError(409, doc.conflict),
  );
