import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import {
  DEFAULT_LIMIT as DEFAULT_PAGE_SIZE,
  MAX_LIMIT as MAX_PAGE_SIZE,
} from '../common/query-params';
import { ERROR_SCHEMA } from './inventory.openapi';

/** OpenAPI decorators the inventory controllers share. */

export const ApiIdParam = (what: string) =>
  ApiParam({ name: 'id', description: `the ${what}'s id`, schema: { type: 'string' } });

export const ApiError = (status: 400 | 404 | 409 | 413, description: string) =>
  ApiResponse({ status, description, schema: ERROR_SCHEMA });

export const ApiPaging = () =>
  applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      description: `page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: 'the `nextCursor` of the previous page',
      schema: { type: 'string' },
    }),
    ApiError(400, '`limit` or `cursor` is invalid'),
  );
