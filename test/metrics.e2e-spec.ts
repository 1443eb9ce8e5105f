import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { MetricsListener } from '../src/metrics/metrics-listener';
import { expectError } from './support/errors';
import { call } from './support/http';
import { useTestStack } from './support/stack';
import { injectFault, mintLoginCode, mintOauthCode } from './support/wechat';

/*
 * METRICS_PORT (issue 15): real traffic on the public port, then one scrape of the metrics
 * listener, whose counts must be exactly that traffic's, with no openid, address or token in
 * any label.
 */

const OFFICIAL = 'wx00000000000000c3';
const OFFICIAL_SECRET = '3'.repeat(32);
const CLIENT_IP = '203.0.113.77';
const stack = useTestStack(
  {
    METRICS_PORT: '0',
    TRUST_PROXY: 'true',
    CONTENT_CHECK: 'on',
    WECHAT_APPS: JSON.stringify([
      { appId: OFFICIAL, secret: OFFICIAL_SECRET, type: 'official_account' },
    ]),
  },
  {
    apps: [
      { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
      { appId: OFFICIAL, appSecret: OFFICIAL_SECRET, type: 'official_account' },
    ],
  },
);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, sample lines only. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[name] = value;
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of the one sample of `name` whose labels include `labels` (0 when there is none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is not one sample`);
  return found[0]?.value ?? 0;
}

const metricsUrl = () => `http://127.0.0.1:${stack.service.app.get(MetricsListener).port}/metrics`;
const forwarded = { 'x-forwarded-for': CLIENT_IP };

describe('GET /metrics on METRICS_PORT', () => {
  /** Everything the traffic showed that must never be a label value. */
  const seen: string[] = [CLIENT_IP];
  const userIds: string[] = [];
  let text: string;
  let samples: Sample[];

  beforeAll(async () => {
    const url = stack.service.url;
    const login = (body: object) => call(`${url}/auth/wechat/login`, { body, headers: forwarded });

    // Two mini-program logins.
    const first = await mintLoginCode(stack.emulator.url);
    const second = await mintLoginCode(stack.emulator.url);
    const firstLogin = await login({ code: first.code });
    const secondLogin = await login({ code: second.code });
    expect([firstLogin.status, secondLogin.status]).toEqual([200, 200]);
    // One more after WeChat answered HTTP 500, then busy (-1): each retried once, then ok.
    await injectFault(stack.emulator.url, { path: '/sns/jscode2session', type: 'http500' });
    const third = await mintLoginCode(stack.emulator.url);
    expect((await login({ code: third.code })).status).toBe(200);
    await injectFault(stack.emulator.url, {
      path: '/sns/jscode2session',
      type: 'errcode',
      errcode: -1,
    });
    const fourth = await mintLoginCode(stack.emulator.url);
    expect((await login({ code: fourth.code })).status).toBe(200);
    // A code WeChat does not know (40029), and an app id that is not configured.
    expectError(await login({ code: 'never-issued-code' }), 401, 'WECHAT_CODE_INVALID');
    expectError(
      await login({ code: 'abc', appId: 'wx0000000000000fff' }),
      400,
      'VALIDATION_FAILED',
    );
    // A web login.
    const web = await mintOauthCode(stack.emulator.url, { appId: OFFICIAL });
    const webLogin = await call(`${url}/auth/wechat/oauth`, {
      body: { appId: OFFICIAL, code: web.code },
      headers: forwarded,
    });
    expect(webLogin.status).toBe(200);

    // A refresh, then the spent token again: reuse.
    const session = firstLogin.body as { accessToken: string; refreshToken: string };
    const refreshed = await call(`${url}/auth/refresh`, {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const reused = await call(`${url}/auth/refresh`, {
      body: { refreshToken: session.refreshToken },
    });
    expectError(reused, 401, 'REFRESH_TOKEN_REUSED');

    // A bearer request, and a 404 whose URL (with an openid in it) no label may carry.
    const me = await call(`${url}/users/me`, {
      // (The first session was revoked by the reuse.)
      token: (secondLogin.body as { accessToken: string }).accessToken,
    });
    expect(me.status).toBe(200);
    // A new nickname passes WeChat's content check, which needs the app's stable token.
    const renamed = await call(`${url}/users/me`, {
      method: 'PATCH',
      body: { nickname: 'Metrics' },
      token: (secondLogin.body as { accessToken: string }).accessToken,
    });
    expect(renamed.status).toBe(200);
    expect((await call(`${url}/users/${first.openid}/anything`)).status).toBe(404);

    for (const minted of [first, second, third, fourth, web]) seen.push(minted.openid);
    if (first.unionid) seen.push(first.unionid);
    for (const body of [firstLogin.body, secondLogin.body, webLogin.body, refreshed.body]) {
      const tokens = body as { accessToken: string; refreshToken: string };
      seen.push(tokens.accessToken, tokens.refreshToken);
    }
    for (const body of [firstLogin.body, secondLogin.body, webLogin.body]) {
      userIds.push(String((body as { user: { id: number } }).user.id));
    }

    const scraped = await call(metricsUrl());
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    text = scraped.text;
    samples = parseExposition(text);
  });

  it('counts logins by flow, app and outcome (success or the error code)', () => {
    const logins = (labels: Record<string, string>) =>
      valueOf(samples, 'auth_logins_total', labels);
    expect(logins({ flow: 'miniprogram', app: DEV_APP_ID, outcome: 'success' })).toBe(4);
    expect(logins({ flow: 'miniprogram', app: DEV_APP_ID, outcome: 'WECHAT_CODE_INVALID' })).toBe(
      1,
    );
    // An app id a client made up is not echoed into a label.
    expect(logins({ flow: 'miniprogram', app: 'unknown', outcome: 'VALIDATION_FAILED' })).toBe(1);
    expect(logins({ flow: 'oauth', app: OFFICIAL, outcome: 'success' })).toBe(1);
    expect(samples.filter((sample) => sample.name === 'auth_logins_total')).toHaveLength(4);
  });

  it('counts refresh rotations and reuse detections', () => {
    expect(valueOf(samples, 'auth_refresh_rotations_total')).toBe(1);
    expect(valueOf(samples, 'auth_refresh_reuse_detected_total')).toBe(1);
  });

  it('times requests by route pattern, method and status, never by URL', () => {
    const count = (labels: Record<string, string>) =>
      valueOf(samples, 'http_request_duration_seconds_count', labels);
    expect(count({ route: '/users/me', method: 'GET', status: '200' })).toBe(1);
    expect(count({ route: '/users/me', method: 'PATCH', status: '200' })).toBe(1);
    expect(count({ route: '/auth/wechat/login', method: 'POST', status: '200' })).toBe(4);
    expect(count({ route: '/auth/wechat/login', method: 'POST', status: '401' })).toBe(1);
    expect(count({ route: '/auth/refresh', method: 'POST', status: '200' })).toBe(1);
    expect(count({ route: '/auth/refresh', method: 'POST', status: '401' })).toBe(1);
    expect(count({ route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    const routes = new Set(
      samples
        .filter((sample) => sample.name === 'http_request_duration_seconds_count')
        .map((sample) => sample.labels.route),
    );
    expect([...routes].sort()).toEqual([
      '/auth/refresh',
      '/auth/wechat/login',
      '/auth/wechat/oauth',
      '/users/me',
      'unmatched',
    ]);
  });

  it('counts and times calls to WeChat by path and outcome, retries included', () => {
    const calls = (path: string, outcome: string) =>
      valueOf(samples, 'wechat_api_requests_total', { path, outcome });
    expect(calls('/sns/jscode2session', 'ok')).toBe(4);
    expect(calls('/sns/jscode2session', 'http5xx')).toBe(1);
    expect(calls('/sns/jscode2session', '-1')).toBe(1);
    expect(calls('/sns/jscode2session', '40029')).toBe(1);
    expect(calls('/sns/oauth2/access_token', 'ok')).toBe(1);
    expect(calls('/cgi-bin/stable_token', 'ok')).toBe(1);
    expect(calls('/wxa/msg_sec_check', 'ok')).toBe(1);
    const timed = (path: string) =>
      valueOf(samples, 'wechat_api_request_duration_seconds_count', { path });
    expect(timed('/sns/jscode2session')).toBe(7);
    expect(
      valueOf(samples, 'wechat_api_request_duration_seconds_sum', { path: '/sns/jscode2session' }),
    ).toBeGreaterThan(0);
  });

  it('counts stable-token fetches by app and outcome', () => {
    expect(
      valueOf(samples, 'wechat_stable_token_fetches_total', { app: DEV_APP_ID, outcome: 'ok' }),
    ).toBe(1);
  });

  it('reports the database pool and the default process metrics', () => {
    expect(valueOf(samples, 'db_pool_connections', { state: 'idle' })).toBeGreaterThan(0);
    expect(
      samples.some((s) => s.name === 'db_pool_connections' && s.labels.state === 'in_use'),
    ).toBe(true);
    expect(valueOf(samples, 'db_pool_waiting_requests')).toBe(0);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('carries no openid, address or token seen in the traffic', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const value of seen) expect(text).not.toContain(value);
    // User ids are small numbers: compared with whole label values of the service's own
    // metrics (bucket bounds aside; the default ones carry Node's version numbers).
    const own = /^(http|auth|wechat|db_pool)_/;
    const labelValues = new Set(
      samples
        .filter((sample) => own.test(sample.name))
        .flatMap((sample) =>
          Object.entries(sample.labels)
            .filter(([name]) => name !== 'le')
            .map(([, value]) => value),
        ),
    );
    for (const id of userIds) expect(labelValues.has(id)).toBe(false);
    const labelNames = new Set(samples.flatMap((sample) => Object.keys(sample.labels)));
    for (const name of ['user', 'userId', 'openid', 'ip', 'token']) {
      expect(labelNames.has(name)).toBe(false);
    }
  });

  it('is not served on the public port, and the metrics port serves nothing else', async () => {
    expectError(await call(`${stack.service.url}/metrics`), 404, 'NOT_FOUND');
    expect((await call(metricsUrl().replace('/metrics', '/'))).status).toBe(404);
    expect((await call(metricsUrl(), { method: 'POST', body: {} })).status).toBe(404);
  });
});
