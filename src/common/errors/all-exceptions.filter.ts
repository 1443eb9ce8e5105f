import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../../prisma/database-errors';
import { ApiException } from './api.exception';
import { ErrorBody } from './error-body';
import { ERROR_STATUS, ErrorCode } from './error-code';

/** Fastify's own errors (body parsing, content type, size) by their `code`. */
const FASTIFY_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
};

/** Nest's own HttpExceptions (a guard returning false, an unsupported method) by status. */
const HTTP_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'UNAUTHORIZED',
  403: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

declare module 'fastify' {
  interface FastifyReply {
    /** The contract's error code this reply carries ('' when none), for the login metrics. */
    errorCode: ErrorCode | '';
  }
}

const FALLBACK_MESSAGES: Partial<Record<ErrorCode, string>> = {
  PAYLOAD_TOO_LARGE: 'Request body is larger than the server accepts',
  UNAUTHORIZED: 'Authentication is required',
  RATE_LIMITED: 'Too many requests; retry later',
  NOT_FOUND: 'No such route',
  DATABASE_UNAVAILABLE: 'The database is unavailable; try again shortly',
  INTERNAL: 'Internal server error',
};

interface ClassifiedError {
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
}

const classified = (
  code: ErrorCode,
  message = FALLBACK_MESSAGES[code] ?? code,
): ClassifiedError => ({
  code,
  message,
  headers: {},
});

/**
 * Turns anything thrown anywhere into the contract's error shape. Internal details (stack
 * traces, SQL, upstream bodies) go to the log only, never to the client.
 */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof ApiException) {
    return { code: error.code, message: error.message, headers: error.headers };
  }
  if (isDatabaseUnavailable(error)) return classified('DATABASE_UNAVAILABLE');
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_ERRORS[fastifyCode]) {
    const code = FASTIFY_ERRORS[fastifyCode];
    if (code === 'PAYLOAD_TOO_LARGE') return classified(code);
    return classified(
      code,
      fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Request body must be application/json'
        : 'Request body is not valid JSON',
    );
  }
  if (error instanceof SyntaxError)
    return classified('VALIDATION_FAILED', 'Request body is not valid JSON');
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_STATUS_CODES[status];
    if (code) return classified(code);
    if (status >= 400 && status < 500) return classified('VALIDATION_FAILED', error.message);
  }
  const status = (error as { statusCode?: number } | null)?.statusCode;
  if (status === 413) return classified('PAYLOAD_TOO_LARGE');
  if (status === 415)
    return classified('VALIDATION_FAILED', 'Request body must be application/json');
  if (status === 400) return classified('VALIDATION_FAILED', 'The request is malformed');
  return classified('INTERNAL');
}

function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): void {
  const { code, message, headers } = classifyError(error);
  const statusCode = ERROR_STATUS[code];
  if (statusCode >= 500) {
    logger.error({ err: error, code, requestId: request.id }, `request failed: ${code}`);
  }
  const body: ErrorBody = { statusCode, code, message, requestId: String(request.id) };
  reply.errorCode = code;
  void reply.status(statusCode).headers(headers).type('application/json; charset=utf-8').send(body);
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(
      exception,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}
