process.env.TZ = 'UTC';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEV_APP_ID, startWechatEmulator } from '../emulator/wechat-emulator';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/config/app-config';
import { MetricsListener } from '../src/metrics/metrics-listener';
import { applyMigrations, dropDatabase } from '../src/prisma/migration-runner';
import { evaluate, legendOf, parseExposition, Scrape } from './dashboard/promql-subset';
import { dashboardSvg, Panel } from './dashboard/svg-panels';

/*
 * `npm run metrics:dashboard`: the README's picture of deploy/grafana/wxauth-dashboard.json,
 * from real data. Starts the service in this process (METRICS_PORT on, a fresh database, the
 * WeChat emulator), drives a mixed load for DURATION_S seconds with WeChat faults on the way,
 * scrapes /metrics every SCRAPE_S seconds, evaluates each panel's own PromQL over the scrapes
 * (scripts/dashboard/promql-subset.ts) and draws docs/metrics-dashboard.svg.
 */

const DURATION_S = Number(process.env.DASHBOARD_DURATION_S ?? 120);
const SCRAPE_S = 5;
const SERVER = process.env.TEST_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306';
const ROOT = resolve(__dirname, '..', '..');
const OFFICIAL = 'wx00000000000000c3';
const OFFICIAL_SECRET = '3'.repeat(32);

interface DashboardJson {
  panels: Array<{
    title: string;
    fieldConfig: { defaults: { unit: string } };
    targets: Array<{ expr: string; legendFormat: string }>;
  }>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function post(url: string, body: unknown, token?: string, method = 'POST') {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, body: answer };
}

async function main(): Promise<void> {
  const databaseUrl = `${SERVER}/wxauth_dashboard_${randomBytes(4).toString('hex')}`;
  await applyMigrations(databaseUrl);
  const emulator = await startWechatEmulator({
    port: 0,
    apps: [
      { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
      { appId: OFFICIAL, appSecret: OFFICIAL_SECRET, type: 'official_account' },
    ],
  });
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    WECHAT_API_BASE_URL: emulator.url,
    LOGIN_RATE_LIMIT: '1000000',
    CONTENT_CHECK: 'on',
    METRICS_PORT: '0',
    WECHAT_APPS: JSON.stringify([
      { appId: OFFICIAL, secret: OFFICIAL_SECRET, type: 'official_account' },
    ]),
  });
  const { app } = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const metricsUrl = `http://127.0.0.1:${app.get(MetricsListener).port}/metrics`;
  const control = (path: string, body: unknown) => post(`${emulator.url}/__emulator/${path}`, body);

  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const running = () => elapsed() < DURATION_S;
  const tokens: string[] = [];

  /** Mini-program logins; one in ten with a code WeChat never issued; refreshes, some replayed. */
  async function loginWorker(): Promise<void> {
    for (let n = 0; running(); n++) {
      if (n % 10 === 9) {
        await post(`${url}/auth/wechat/login`, { code: `never-issued-${n}` });
        continue;
      }
      const minted = (await control('login-code', {})).body as { code?: string };
      const login = await post(`${url}/auth/wechat/login`, { code: minted.code });
      if (login.status !== 200) continue;
      tokens.push(String(login.body.accessToken));
      if (n % 4 === 0) {
        const refreshToken = String(login.body.refreshToken);
        await post(`${url}/auth/refresh`, { refreshToken });
        if (n % 24 === 0) await post(`${url}/auth/refresh`, { refreshToken }); // a replay
      }
      if (n % 15 === 0) {
        await post(`${url}/users/me`, { nickname: `user${n}` }, tokens.at(-1), 'PATCH');
      }
      await sleep(40);
    }
  }
  async function webLoginWorker(): Promise<void> {
    while (running()) {
      const minted = (await control('oauth-code', { appId: OFFICIAL })).body as { code: string };
      await post(`${url}/auth/wechat/oauth`, { appId: OFFICIAL, code: minted.code });
      await sleep(400);
    }
  }
  async function bearerWorker(): Promise<void> {
    for (let n = 0; running(); n++) {
      const token = tokens[n % Math.max(1, tokens.length)];
      await fetch(`${url}/users/me`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (n % 200 === 0) await fetch(`${url}/no-such-page`);
    }
  }
  /** WeChat misbehaves for a while: 5xx, then busy, then slow, then a revoked stable token. */
  async function faults(): Promise<void> {
    const at = async (second: number) => {
      while (elapsed() < second) await sleep(200);
    };
    const path = '/sns/jscode2session';
    await at(DURATION_S * 0.25);
    await control('faults', { path, type: 'http500', times: 40 });
    await at(DURATION_S * 0.45);
    await control('faults', { path, type: 'errcode', errcode: -1, times: 60 });
    await at(DURATION_S * 0.6);
    await control('faults', { path, type: 'delay', delayMs: 600, times: 80 });
    await at(DURATION_S * 0.75);
    await control('access-token/invalidate', { appId: DEV_APP_ID });
  }
  const scrapes: Scrape[] = [];
  async function scraper(): Promise<void> {
    while (elapsed() <= DURATION_S + 0.5) {
      const t = Math.round(elapsed());
      scrapes.push({ t, samples: parseExposition(await (await fetch(metricsUrl)).text()) });
      await sleep(SCRAPE_S * 1000 - ((Date.now() - started) % (SCRAPE_S * 1000)));
    }
  }

  await Promise.all([
    loginWorker(),
    loginWorker(),
    webLoginWorker(),
    bearerWorker(),
    bearerWorker(),
    faults(),
    scraper(),
  ]);
  await app.close();
  await emulator.close();
  await dropDatabase(databaseUrl);

  const dashboard = JSON.parse(
    readFileSync(resolve(ROOT, 'deploy/grafana/wxauth-dashboard.json'), 'utf8'),
  ) as DashboardJson;
  const panels: Panel[] = dashboard.panels.map((panel) => {
    const series = new Map<string, Array<[number, number]>>();
    for (const target of panel.targets) {
      scrapes.forEach((scrape, index) => {
        for (const [labels, value] of evaluate(target.expr, scrapes, index)) {
          const legend = legendOf(target.legendFormat, labels);
          if (!series.has(legend)) series.set(legend, []);
          series.get(legend)!.push([scrape.t, value]);
        }
      });
    }
    return {
      title: panel.title,
      unit: panel.fieldConfig.defaults.unit,
      series: [...series].map(([legend, points]) => ({ legend, points })),
    };
  });
  const caption =
    `deploy/grafana/wxauth-dashboard.json, each panel's PromQL evaluated over ${scrapes.length} real scrapes ` +
    `(every ${SCRAPE_S} s) of one instance under ${DURATION_S} s of load with WeChat faults injected; ` +
    `drawn by npm run metrics:dashboard, ${new Date().toISOString().slice(0, 10)}`;
  const output = resolve(ROOT, 'docs/metrics-dashboard.svg');
  writeFileSync(output, dashboardSvg('WeChat login service', caption, panels, DURATION_S));
  console.log(`written: ${output}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
