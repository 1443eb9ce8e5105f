import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SqlClient } from '../prisma/sql-client';
import { Metrics } from './metrics';
import { MetricsListener } from './metrics-listener';
import { PrometheusMetrics } from './prometheus-metrics';

/** Metrics everywhere as {@link Metrics}: Prometheus's when METRICS_PORT is set, hooks that do nothing otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: Metrics,
      inject: [AppConfig, SqlClient],
      useFactory: (config: AppConfig, sql: SqlClient): Metrics =>
        config.metricsPort === undefined ? new Metrics() : new PrometheusMetrics(config, sql),
    },
    MetricsListener,
  ],
  exports: [Metrics],
})
export class MetricsModule {}
