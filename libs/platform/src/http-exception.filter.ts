import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ConflictError, NotFoundError, ReflexError, ValidationError } from '@reflex/common';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function fromHttpException(exception: HttpException): [number, ErrorBody] {
  const status = exception.getStatus();
  const response = exception.getResponse();
  // Thrown by our own code (the auth guard) already in the contract's shape.
  const inner =
    typeof response === 'object' && response !== null
      ? (response as { error?: unknown }).error
      : null;
  if (
    typeof inner === 'object' &&
    inner !== null &&
    typeof (inner as { code?: unknown }).code === 'string'
  ) {
    return [status, response as ErrorBody];
  }
  const message =
    typeof response === 'string'
      ? response
      : ((response as { message?: unknown }).message ?? exception.message);
  const code =
    status === 413
      ? 'PAYLOAD_TOO_LARGE'
      : status === 404
        ? 'NOT_FOUND'
        : status === 400
          ? 'BAD_REQUEST'
          : `HTTP_${status}`;
  return [
    status,
    {
      error: {
        code,
        message: Array.isArray(message)
          ? message.join('; ')
          : typeof message === 'string'
            ? message
            : JSON.stringify(message),
      },
    },
  ];
}

/** Every error leaves as CONTRACT §8's `{ error: { code, message, details } }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let body: ErrorBody = { error: { code: 'INTERNAL', message: 'internal error' } };
    if (exception instanceof ValidationError) {
      status = 400;
      body = {
        error: { code: exception.code, message: exception.message, details: exception.errors },
      };
    } else if (exception instanceof NotFoundError) {
      status = 404;
      body = {
        error: { code: exception.code, message: exception.message, details: exception.details },
      };
    } else if (exception instanceof ConflictError) {
      status = 409;
      body = {
        error: { code: exception.code, message: exception.message, details: exception.details },
      };
    } else if (exception instanceof ReflexError) {
      status = exception.retriable ? 503 : 500;
      body = { error: { code: exception.code, message: exception.message } };
    } else if (exception instanceof HttpException) {
      [status, body] = fromHttpException(exception);
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      body = {
        error: {
          code: exception.type === 'entity.too.large' ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST',
          message:
            exception.type === 'entity.parse.failed'
              ? `body is not valid JSON: ${exception.message}`
              : exception.message,
        },
      };
    }
    if (status >= 500)
      this.logger.error(exception instanceof Error ? exception : String(exception));
    res.status(status).json(body);
  }
}

function isBodyParserError(e: unknown): e is { status: number; type: string; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { status?: unknown }).status === 'number' &&
    typeof (e as { type?: unknown }).type === 'string'
  );
}
