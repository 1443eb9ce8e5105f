import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ApiException } from '../common/errors/api.exception';
import { assertSafeJson } from '../common/http/json-body';
import type { AppConfig } from '../config/app-config';
import { INTROSPECTION_ROUTE } from './introspection.controller';

const FORM = 'application/x-www-form-urlencoded';

/** A form body as fields; a repeated field becomes an array, which validation then refuses. */
function parseForm(text: string): Record<string, string | string[]> {
  const fields = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(text)) {
    const previous = fields[name];
    fields[name] = previous === undefined ? value : [previous, value].flat();
  }
  assertSafeJson(fields);
  return { ...fields };
}

/**
 * The HTTP side of POST /auth/introspect. RFC 7662 sends a form body, which no other route
 * takes: the form parser serves this route alone, every other route still answers
 * VALIDATION_FAILED for it. Without INTROSPECTION_TOKEN the route answers as an unknown path
 * does, before its body is read.
 */
export function configureIntrospectionHttp(fastify: FastifyInstance, config: AppConfig): void {
  // Read as bytes for the reason the JSON parser is (app.factory.ts): invalid UTF-8.
  fastify.addContentTypeParser(FORM, { parseAs: 'buffer' }, (request, body, done) => {
    if (request.routeOptions.url !== INTROSPECTION_ROUTE) {
      return done(new ApiException('VALIDATION_FAILED', 'Request body must be application/json'));
    }
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      return done(new ApiException('VALIDATION_FAILED', 'Request body is not valid UTF-8'));
    }
    try {
      done(null, parseForm(bytes.toString('utf8')));
    } catch (error) {
      done(error as Error);
    }
  });
  if (config.introspectionTokenSha256) return;
  fastify.addHook('onRoute', (route) => {
    if (route.url !== INTROSPECTION_ROUTE) return;
    route.onRequest = (_request, reply) => reply.callNotFound();
  });
}
