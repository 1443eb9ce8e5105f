import { createServer, Server } from 'node:net';
import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { createApp } from '../src/app.factory';
import { createLogger } from '../src/common/logging/logger';
import { loadAppConfig } from '../src/config/app-config';
import { createTestDatabase, TestDatabase } from './support/database';
import { call, HttpResult } from './support/http';
import { RunningService, startService } from './support/service';
import { TcpProxy } from './support/tcp-proxy';
import { mintLoginCode } from './support/wechat';

let db: TestDatabase;
let emulator: RunningEmulator;
let proxy: TcpProxy;
let service: RunningService;

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({ port: 0 });
  proxy = new TcpProxy(3306);
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  service = await startService({
    DATABASE_URL: viaProxy.toString(),
    WECHAT_API_BASE_URL: emulator.url,
    LOGIN_RATE_LIMIT: '100000',
  });
});

afterAll(async () => {
  await service?.close();
  await proxy?.stop();
  await emulator?.close();
  await db?.drop();
});

const countUsers = async () =>
  (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM wx_user'))[0].n;

const login = async () =>
  call(`${service.url}/auth/wechat/login`, {
    body: { code: (await mintLoginCode(emulator.url)).code },
  });

/** Each request is answered 503 DATABASE_UNAVAILABLE, in the contract's shape, within 5 s. */
async function expectUnavailableWithin5s(requests: Array<() => Promise<HttpResult>>) {
  for (const request of requests) {
    const started = Date.now();
    const result = await request();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.status).toBe(503);
    expect(result.body).toEqual({
      statusCode: 503,
      code: 'DATABASE_UNAVAILABLE',
      message: expect.any(String),
      requestId: expect.any(String),
    });
  }
}

/** Polls /health/ready every 200 ms until it answers 200; fails after `tries`. */
async function expectReadyAgain(tries: number) {
  let ready = 0;
  for (let i = 0; i < tries && ready !== 200; i++) {
    ready = (await call(`${service.url}/health/ready`)).status;
    if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  expect(ready).toBe(200);
}

describe('database outage', () => {
  it('answers 503 DATABASE_UNAVAILABLE within 5 s, writes nothing, and recovers without a restart', async () => {
    const session = (await login()).body;
    expect(session.accessToken).toEqual(expect.any(String));
    const usersBefore = await countUsers();

    proxy.cut();
    await expectUnavailableWithin5s([
      () => call(`${service.url}/health/ready`),
      login,
      () => call(`${service.url}/users/me`, { token: session.accessToken }),
      () => call(`${service.url}/auth/refresh`, { body: { refreshToken: session.refreshToken } }),
    ]);
    // Liveness is not readiness: the process is up.
    expect((await call(`${service.url}/health`)).status).toBe(200);

    proxy.restore();
    expect(await countUsers()).toBe(usersBefore);
    // The pool reconnects by itself.
    await expectReadyAgain(50);
    expect((await login()).status).toBe(200);
    expect((await call(`${service.url}/users/me`, { token: session.accessToken })).status).toBe(
      200,
    );
  });
});

describe('a database that stops answering (frozen host, partition)', () => {
  it('answers 503 DATABASE_UNAVAILABLE within 5 s on every route, then recovers', async () => {
    const session = (await login()).body;
    expect(session.accessToken).toEqual(expect.any(String));

    proxy.silence();
    await expectUnavailableWithin5s([
      () => call(`${service.url}/health/ready`),
      () => call(`${service.url}/users/me`, { token: session.accessToken }),
      () => call(`${service.url}/auth/refresh`, { body: { refreshToken: session.refreshToken } }),
      () => call(`${service.url}/users/me/logins`, { token: session.accessToken }),
      login,
    ]);

    proxy.restore();
    await expectReadyAgain(75);
    expect((await call(`${service.url}/users/me`, { token: session.accessToken })).status).toBe(
      200,
    );
  });
});

describe('start-up against a bad database', () => {
  async function startFailure(databaseUrl: string): Promise<{ error: Error; ms: number }> {
    const config = loadAppConfig({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
    });
    const started = Date.now();
    const { app } = await createApp(config, createLogger(config));
    try {
      await app.init();
    } catch (error) {
      return { error: error as Error, ms: Date.now() - started };
    } finally {
      await app.close().catch(() => undefined);
    }
    throw new Error('start-up succeeded against a bad database');
  }

  it('a wrong password stops the start quickly, saying access was denied', async () => {
    const url = new URL(db.url);
    url.username = 'wxauth_nobody';
    url.password = 'wrong-password';
    const { error, ms } = await startFailure(url.toString());
    expect(error.message).toMatch(/access denied/i);
    expect(error.message).not.toContain('wrong-password');
    expect(ms).toBeLessThan(10000);
  });

  it('a user MariaDB refuses with 1698 (ER_ACCESS_DENIED_NO_PASSWORD_ERROR) is access denied too', async () => {
    const url = new URL(db.url);
    url.username = 'nobody';
    url.password = 'wrong';
    const { error, ms } = await startFailure(url.toString());
    expect(error.message).toMatch(/access denied/i);
    expect(error.message).not.toMatch(/unreachable/i);
    expect(ms).toBeLessThan(10000);
  });

  it('a refused connection stops the start, saying the database is unreachable', async () => {
    const { error, ms } = await startFailure('mysql://root@127.0.0.1:1/wxauth');
    expect(error.message).toMatch(/unreachable/i);
    expect(ms).toBeLessThan(10000);
  });

  it('a host that accepts but never answers stops the start within 10 s', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { error, ms } = await startFailure(`mysql://root@127.0.0.1:${port}/wxauth`);
      expect(error.message).toMatch(/unreachable/i);
      expect(ms).toBeLessThan(10000);
    } finally {
      silent.close();
    }
  });

  it('a missing database is named, with the command that creates it', async () => {
    const { error } = await startFailure('mysql://root@127.0.0.1:3306/wxauth_does_not_exist_x');
    expect(error.message).toMatch(/does not exist.*db:migrate/);
  });
});
