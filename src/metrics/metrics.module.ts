import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SqlClient } from '../prisma/sql-client';
import { Metrics, PROMETHEUS_METRICS } from './metrics';
import { MetricsListener } from './metrics-listener';
import type { PrometheusMetrics } from './prometheus-metrics';

/** Metrics everywhere as {@link Metrics}: Prometheus's when METRICS_PORT is set, hooks that do nothing otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: PROMETHEUS_METRICS,
      inject: [AppConfig, SqlClient],
      useFactory: async (config: AppConfig, sql: SqlClient): Promise<PrometheusMetrics | null> => {
        if (config.metricsPort === undefined) return null;
        // Imported only here: prom-client takes about 15 ms of a cold start to load, for
        // nothing when metrics are off.
        const { PrometheusMetrics } = await import('./prometheus-metrics');
        return new PrometheusMetrics(config, sql);
      },
    },
    {
      provide: Metrics,
      inject: [PROMETHEUS_METRICS],
      useFactory: (prometheus: PrometheusMetrics | null): Metrics => prometheus ?? new Metrics(),
    },
    MetricsListener,
  ],
  exports: [Metrics, PROMETHEUS_METRICS],
})
export class MetricsModule {}
