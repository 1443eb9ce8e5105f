import { isUtf8 } from 'node:buffer';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance, FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { configureIntrospectionHttp } from './auth/introspection-http';
import { ApiException } from './common/errors/api.exception';
import { handleClientError, handleFrameworkError } from './common/http/client-errors';
import { clientIpOf } from './common/http/client-ip';
import { lazySchemaCompilers } from './common/http/lazy-schema-compilers';
import { requestIdFor } from './common/http/request-id';
import { securityHeaders } from './common/http/security-headers';
import { setupOpenApi } from './common/openapi/openapi';
import { lazyChildLogger } from './common/logging/lazy-child-logger';
import { createLogger, PinoNestLogger } from './common/logging/logger';
import { AppConfig } from './config/app-config';
import { PROMETHEUS_METRICS } from './metrics/metrics';
import type { PrometheusMetrics } from './metrics/prometheus-metrics';
import { recordRequestMetrics } from './metrics/request-metrics';

export interface CreatedApp {
  app: NestFastifyApplication;
  config: AppConfig;
  logger: Logger;
}

/**
 * Builds the whole service from a validated configuration. service.ts and the e2e tests both
 * use it, so the tests run exactly what production runs.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger = createLogger(config),
): Promise<CreatedApp> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request is written by the onResponse hook below, with the route and user.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    schemaController: lazySchemaCompilers(),
    // docs/api.md: a known path with another method is 404, HEAD included.
    exposeHeadRoutes: false,
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Fastify parses JSON itself (configureHttp); Nest's parser would refuse the override.
    bodyParser: false,
  });
  configureHttp(app.getHttpAdapter().getInstance(), logger);
  // Metrics are served on METRICS_PORT (MetricsListener); only the public port's timing is here.
  const metrics = app.get<PrometheusMetrics | null>(PROMETHEUS_METRICS);
  if (metrics) recordRequestMetrics(app.getHttpAdapter().getInstance(), metrics);
  configureIntrospectionHttp(app.getHttpAdapter().getInstance(), config);
  setupOpenApi(app);
  // Mini-programs are not browsers and need no CORS; it is off unless CORS_ORIGINS lists origins.
  if (config.corsOrigins) app.enableCors({ origin: config.corsOrigins });
  return { app, config, logger };
}

function configureHttp(fastify: FastifyInstance, logger: Logger): void {
  // JSON is the only body type; an empty body is "no body", left to validation to judge.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  // Read as bytes: decoded as a string, invalid UTF-8 turns into replacement characters and
  // Fastify then reports a misleading "body size did not match Content-Length".
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    if (!isUtf8(bytes)) {
      return done(
        new ApiException('VALIDATION_FAILED', 'Request body is not valid UTF-8'),
        undefined,
      );
    }
    void parseJson(request, bytes.toString('utf8'), done);
  });

  // Fastify closes idle keep-alive connections when it closes; a request still in flight
  // then would keep its connection (and the shutdown) open until the client lets go.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  const headers = securityHeaders();
  fastify.decorateRequest('clientIp', '');
  fastify.decorateReply('errorCode', '');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers);
    request.clientIp = clientIpOf(request);
    void reply.header('x-request-id', request.id);
    done();
  });

  // The request line holds only the fields below, none of them secret, so it skips the
  // redaction pass every other line gets (about 2% of a guarded request's CPU, measured).
  const requestLog = logger.child({}, { redact: { paths: [] } });
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest & { user?: { userId?: bigint } }, reply, done) => {
      // The line's fields are not gathered at all below `info` (routeOptions builds an object).
      if (!requestLog.isLevelEnabled('info')) return done();
      requestLog.info(
        {
          reqId: request.id,
          method: request.method,
          route: request.routeOptions.url ?? null,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          userId: request.user?.userId?.toString(),
        },
        'request',
      );
      done();
    },
  );
}
