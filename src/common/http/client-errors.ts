import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../errors/error-body';

/*
 * Requests that never reach Nest: Node's HTTP parser refuses them (an unknown method,
 * headers over 16 KB, garbage) or Fastify's router cannot read the URL (a bad percent
 * escape). They get the same error shape as everything else.
 */

function body(message: string, requestId: string): ErrorBody {
  return { statusCode: 400, code: 'VALIDATION_FAILED', message, requestId };
}

/** Fastify's clientErrorHandler: answers on the raw socket, then closes it. */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const message =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'Request line or headers are too large'
      : 'The HTTP request is malformed';
  const requestId = randomUUID();
  const payload = JSON.stringify(body(message, requestId));
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `X-Request-Id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
      'Connection: close\r\n\r\n' +
      payload,
  );
}

/** Fastify's frameworkErrors: a URL it cannot decode. */
export function handleFrameworkError(
  _error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply
    .status(400)
    .header('x-request-id', request.id)
    .type('application/json; charset=utf-8')
    .send(body('The request URL is malformed', String(request.id)));
}
