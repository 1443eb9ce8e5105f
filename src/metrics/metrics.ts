/**
 * The hooks through which the service reports what operators watch (see PrometheusMetrics for
 * the metrics themselves). This base class is what runs when METRICS_PORT is unset: every hook
 * does nothing, so code that reports pays one empty call and needs no "is it on?" test.
 */
export class Metrics {
  /**
   * One HTTP exchange with WeChat (a retry is another): its API path, how it ended ("ok", a
   * known errcode, "other", "http5xx", "timeout", "network" or "badbody") and how long it took.
   */
  wechatCall(_path: string, _outcome: string, _seconds: number): void {}

  /** A stable-token fetch of an app, counted by how it ended; resolves as `fetch` does. */
  countStableTokenFetch<T>(_appId: string, fetch: Promise<T>): Promise<T> {
    return fetch;
  }

  /** A refresh token was exchanged for a new one. */
  refreshRotated(): void {}

  /** An already used refresh token came back: its session was revoked (a theft signal). */
  refreshReuseDetected(): void {}
}

/**
 * The injection token of the Prometheus metrics: a PrometheusMetrics when METRICS_PORT is set,
 * null otherwise (what serves /metrics and times requests needs the real class).
 */
export const PROMETHEUS_METRICS = Symbol('PrometheusMetrics');
