import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { createTestDatabase, TestDatabase } from './support/database';
import { call } from './support/http';
import { ServiceProcess, spawnService, waitForOk } from './support/process';
import { mintLoginCode as mintCode } from './support/wechat';

/*
 * Two real processes, as in production: inside one process @nestjs/passport registers the
 * 'jwt' strategy on one global passport object, so two apps there would share one guard.
 */
const APP = {
  WECHAT_APP_ID: 'wx0f1e2d3c4b5a6978',
  WECHAT_APP_SECRET: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
};
let db: TestDatabase;
let emulator: RunningEmulator;
const processes: ServiceProcess[] = [];
const a = { url: '' };
const b = { url: '' };
const mintLoginCode = (url: string, options: { openid?: string } = {}) =>
  mintCode(url, { ...options, appId: APP.WECHAT_APP_ID });

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({
    port: 0,
    apps: [{ appId: APP.WECHAT_APP_ID, appSecret: APP.WECHAT_APP_SECRET }],
  });
  const port = 20000 + Math.floor(Math.random() * 20000);
  for (const [instance, offset] of [
    [a, 0],
    [b, 1],
  ] as const) {
    processes.push(
      spawnService({
        ...APP,
        NODE_ENV: 'production',
        JWT_SECRET: 'two-instances-jwt-secret-0123456789abcdef',
        SESSION_KEY_SECRET: '00112233445566778899aabbccddeeff'.repeat(2),
        DATABASE_URL: db.url,
        WECHAT_API_BASE_URL: emulator.url,
        LOGIN_RATE_LIMIT: '100000',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port + offset),
      }),
    );
    instance.url = `http://127.0.0.1:${port + offset}`;
  }
  await Promise.all([waitForOk(`${a.url}/health/ready`), waitForOk(`${b.url}/health/ready`)]);
});

afterAll(async () => {
  for (const service of processes) service.child.kill('SIGTERM');
  await Promise.all(processes.map((service) => service.exited));
  await emulator?.close();
  await db?.drop();
});

describe('two instances on one database', () => {
  it('a logout on one is refused on the other at once', async () => {
    const login = await call(`${a.url}/auth/wechat/login`, {
      body: { code: (await mintLoginCode(emulator.url)).code },
    });
    const { accessToken, refreshToken } = login.body;
    expect((await call(`${b.url}/users/me`, { token: accessToken })).status).toBe(200);
    expect(
      (await call(`${b.url}/auth/logout`, { method: 'POST', token: accessToken })).status,
    ).toBe(204);
    const refused = await call(`${a.url}/users/me`, { token: accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('SESSION_REVOKED');
    const refresh = await call(`${a.url}/auth/refresh`, { body: { refreshToken } });
    expect(refresh.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('concurrent first logins of one openid spread over both create one row', async () => {
    const first = await mintLoginCode(emulator.url);
    const codes = [first.code];
    for (let i = 1; i < 40; i++)
      codes.push((await mintLoginCode(emulator.url, { openid: first.openid })).code);
    const results = await Promise.all(
      codes.map((code, i) => call(`${(i % 2 ? a : b).url}/auth/wechat/login`, { body: { code } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.isNewUser)).toHaveLength(1);
    const rows = await db.query<{ login_count: number }>(
      'SELECT login_count FROM wx_user WHERE openid = ?',
      [first.openid],
    );
    expect(rows).toEqual([{ login_count: 40 }]);
  });

  it('a refresh token rotated on one instance is a reuse on the other', async () => {
    const login = await call(`${a.url}/auth/wechat/login`, {
      body: { code: (await mintLoginCode(emulator.url)).code },
    });
    const rotated = await call(`${a.url}/auth/refresh`, {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(rotated.status).toBe(200);
    const reused = await call(`${b.url}/auth/refresh`, {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await call(`${a.url}/users/me`, { token: rotated.body.accessToken })).body.code).toBe(
      'SESSION_REVOKED',
    );
  });
});
