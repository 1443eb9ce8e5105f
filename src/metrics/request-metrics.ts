import type { FastifyInstance } from 'fastify';
import type { LoginFlow, PrometheusMetrics } from './prometheus-metrics';

/** Requests Fastify matched to no route: one series for all of them, whatever their URL. */
const UNMATCHED = 'unmatched';
const LOGIN_FLOWS = new Map<string, LoginFlow>([
  ['/auth/wechat/login', 'miniprogram'],
  ['/auth/wechat/oauth', 'oauth'],
]);

/**
 * Times every answered request on the public port by route pattern, method and status, and
 * counts the two login routes by app and outcome: "success" or the contract's error code (set
 * on the reply by the exception filter), so rate limits and validation failures count too.
 */
export function recordRequestMetrics(fastify: FastifyInstance, metrics: PrometheusMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED;
    const status = reply.statusCode;
    metrics.httpResponse(route, request.method, status, reply.elapsedTime / 1000);
    const flow = LOGIN_FLOWS.get(route);
    if (flow !== undefined) {
      const appId = (request.body as { appId?: unknown } | undefined)?.appId;
      metrics.login(flow, appId, status === 200 ? 'success' : reply.errorCode || `HTTP_${status}`);
    }
    done();
  });
}
