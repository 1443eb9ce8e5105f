import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfig } from '../config/app-config';
import { PROMETHEUS_METRICS } from './metrics';
import type { PrometheusMetrics } from './prometheus-metrics';

/**
 * GET /metrics on METRICS_PORT, a listener of its own: the public port never serves it (it
 * answers 404 there like any unknown path). A plain Node server, so a scrape shares nothing
 * with the public port's hooks and does not show up in its request metrics. Started with the
 * application, closed with it.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    private readonly config: AppConfig,
    @Inject(PROMETHEUS_METRICS) private readonly metrics: PrometheusMetrics | null,
  ) {}

  /** The port it listens on (METRICS_PORT=0 picks a free one); undefined when metrics are off. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { metricsPort, host } = this.config;
    if (metricsPort === undefined || !this.metrics) return;
    const metrics = this.metrics;
    const server = createServer((request, response) => void answer(metrics, request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot serve metrics on METRICS_PORT ${metricsPort}: ${error.code}`)),
      );
      server.listen(metricsPort, host, resolve);
    });
    this.server = server;
    this.logger.log({ port: this.port, host }, 'metrics listening on /metrics');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A scraper keeps its connection alive between scrapes; shutdown does not wait for it.
      server.closeIdleConnections();
    });
  }
}

async function answer(
  metrics: PrometheusMetrics,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  try {
    const text = await metrics.scrape();
    response.writeHead(200, { 'content-type': metrics.registry.contentType });
    response.end(request.method === 'HEAD' ? undefined : text);
  } catch (error) {
    new Logger('Metrics').error({ err: error }, 'metrics scrape failed');
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Scrape failed\n');
  }
}
