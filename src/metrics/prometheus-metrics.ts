import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ApiException } from '../common/errors/api.exception';
import type { AppConfig } from '../config/app-config';
import type { SqlClient } from '../prisma/sql-client';
import { Metrics } from './metrics';

/** Public-port request times: a bearer request takes about a millisecond, a login tens. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** WeChat's answers: tens to hundreds of milliseconds, up to WECHAT_TIMEOUT_MS (5 s default). */
const WECHAT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type LoginFlow = 'miniprogram' | 'oauth';
type Observe = (seconds: number) => void;
type Increment = () => void;

/**
 * The real metrics, in a registry of this application (not prom-client's global one, so two
 * instances in one process keep their counts apart). Labels are closed sets: route patterns,
 * methods, statuses, error codes, configured app ids, WeChat API paths. None carries a user id,
 * an openid, an address or a token. Hot-path observations go to label children bound once and
 * kept in maps, so a request builds no label object.
 */
export class PrometheusMetrics extends Metrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'route' | 'method' | 'status'>;
  private readonly requestSeries = new Map<string, Map<string, Map<number, Observe>>>();
  private readonly logins: Counter<'flow' | 'app' | 'outcome'>;
  private readonly wechatDuration: Histogram<'path'>;
  private readonly wechatCalls: Counter<'path' | 'outcome'>;
  private readonly wechatSeries = new Map<
    string,
    { observe: Observe; count: Map<string, Increment> }
  >();
  private readonly stableTokenFetches: Counter<'app' | 'outcome'>;
  private readonly refreshRotations: Counter;
  private readonly refreshReuses: Counter;
  /** Configured app ids: an id a client sends that is not one of them is counted as "unknown". */
  private readonly appIds: ReadonlySet<string>;
  private readonly defaultAppId: string;

  constructor(config: AppConfig, sql: SqlClient) {
    super();
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.appIds = new Set(config.wechat.apps.map((app) => app.appId));
    this.defaultAppId = config.wechat.appId;

    this.requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Requests on the public port by route pattern (unmatched: no route), method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.logins = new Counter({
      name: 'auth_logins_total',
      help: 'Logins by flow (miniprogram: POST /auth/wechat/login, oauth: POST /auth/wechat/oauth), app and outcome (success or the error code)',
      labelNames: ['flow', 'app', 'outcome'],
      registers,
    });
    this.refreshRotations = new Counter({
      name: 'auth_refresh_rotations_total',
      help: 'Refresh tokens exchanged for new ones',
      registers,
    });
    this.refreshReuses = new Counter({
      name: 'auth_refresh_reuse_detected_total',
      help: 'Already used refresh tokens presented again; each revoked its session (theft signal)',
      registers,
    });
    this.wechatCalls = new Counter({
      name: 'wechat_api_requests_total',
      help: 'HTTP exchanges with WeChat (retries included) by API path and outcome: ok, a known errcode, other, http5xx, timeout, network, badbody',
      labelNames: ['path', 'outcome'],
      registers,
    });
    this.wechatDuration = new Histogram({
      name: 'wechat_api_request_duration_seconds',
      help: 'Time of each HTTP exchange with WeChat by API path, whatever its outcome',
      labelNames: ['path'],
      buckets: WECHAT_BUCKETS,
      registers,
    });
    this.stableTokenFetches = new Counter({
      name: 'wechat_stable_token_fetches_total',
      help: "Fetches of an app's stable token (access_token) by app and outcome (ok or the error code)",
      labelNames: ['app', 'outcome'],
      registers,
    });
    // Read when scraped: the pool keeps these numbers itself.
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (in_use, idle)',
      labelNames: ['state'],
      registers,
      collect() {
        const usage = sql.poolUsage();
        this.set({ state: 'in_use' }, usage.inUse);
        this.set({ state: 'idle' }, usage.idle);
      },
    });
    new Gauge({
      name: 'db_pool_waiting_requests',
      help: 'Statements waiting for a free database pool connection',
      registers,
      collect() {
        this.set(sql.poolUsage().waiting);
      },
    });
  }

  /** One answered request on the public port; `route` is the matched pattern, never the URL. */
  httpResponse(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.requestSeries.get(route);
    if (!byMethod)
      this.requestSeries.set(route, (byMethod = new Map<string, Map<number, Observe>>()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map<number, Observe>()));
    let observe = byStatus.get(status);
    if (!observe) {
      const child = this.requestDuration.labels(route, method, String(status));
      byStatus.set(status, (observe = (value) => child.observe(value)));
    }
    observe(seconds);
  }

  /** `appId` is what the client sent (absent: the default mini-program), never echoed unless configured. */
  login(flow: LoginFlow, appId: unknown, outcome: string): void {
    const sent = appId === undefined && flow === 'miniprogram' ? this.defaultAppId : appId;
    const app = typeof sent === 'string' && this.appIds.has(sent) ? sent : 'unknown';
    this.logins.labels(flow, app, outcome).inc();
  }

  override wechatCall(path: string, outcome: string, seconds: number): void {
    let series = this.wechatSeries.get(path);
    if (!series) {
      const duration = this.wechatDuration.labels(path);
      series = { observe: (value) => duration.observe(value), count: new Map() };
      this.wechatSeries.set(path, series);
    }
    let count = series.count.get(outcome);
    if (!count) {
      const child = this.wechatCalls.labels(path, outcome);
      series.count.set(outcome, (count = () => child.inc()));
    }
    series.observe(seconds);
    count();
  }

  override countStableTokenFetch<T>(appId: string, fetch: Promise<T>): Promise<T> {
    return fetch.then(
      (value) => {
        this.stableTokenFetches.labels(appId, 'ok').inc();
        return value;
      },
      (error: unknown) => {
        const outcome = error instanceof ApiException ? error.code : 'INTERNAL';
        this.stableTokenFetches.labels(appId, outcome).inc();
        throw error;
      },
    );
  }

  override refreshRotated(): void {
    this.refreshRotations.inc();
  }

  override refreshReuseDetected(): void {
    this.refreshReuses.inc();
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
