import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { createTestDatabase, TestDatabase } from './support/database';
import { call } from './support/http';
import { spawnService, waitForOk } from './support/process';
import { injectFault, mintLoginCode } from './support/wechat';

const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  WECHAT_APP_ID: 'wx0f1e2d3c4b5a6978',
  WECHAT_APP_SECRET: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  JWT_SECRET: 'process-e2e-jwt-secret-0123456789abcdef',
  SESSION_KEY_SECRET: '00112233445566778899aabbccddeeff'.repeat(2),
  LOG_LEVEL: 'info',
};

let db: TestDatabase;
let emulator: RunningEmulator;

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({
    port: 0,
    apps: [{ appId: PRODUCTION_ENV.WECHAT_APP_ID, appSecret: PRODUCTION_ENV.WECHAT_APP_SECRET }],
  });
});

afterAll(async () => {
  await emulator?.close();
  await db?.drop();
});

describe('production start-up refuses a missing or weak setting, in one line', () => {
  const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['WECHAT_APP_ID missing', { WECHAT_APP_ID: undefined }, /WECHAT_APP_ID/],
    ['WECHAT_APP_SECRET missing', { WECHAT_APP_SECRET: undefined }, /WECHAT_APP_SECRET/],
    ['JWT_SECRET missing', { JWT_SECRET: undefined }, /JWT_SECRET/],
    ['JWT_SECRET too short', { JWT_SECRET: 'short-secret' }, /JWT_SECRET.*32/],
    ['SESSION_KEY_SECRET missing', { SESSION_KEY_SECRET: undefined }, /SESSION_KEY_SECRET/],
    ['SESSION_KEY_SECRET malformed', { SESSION_KEY_SECRET: 'abc' }, /SESSION_KEY_SECRET/],
    ['an empty variable counts as missing', { WECHAT_APP_SECRET: '' }, /WECHAT_APP_SECRET/],
  ];
  it.each(cases)('%s', async (_name, change, expected) => {
    const env = { ...PRODUCTION_ENV, DATABASE_URL: db.url, ...change };
    const service = spawnService(
      Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
    );
    expect(await service.exited).not.toBe(0);
    const lines = service.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });

  it('wrong database credentials stop the start within 10 s, naming the cause', async () => {
    const url = new URL(db.url);
    url.username = 'wxauth_nobody';
    url.password = 'bad';
    const started = Date.now();
    const service = spawnService({ ...PRODUCTION_ENV, DATABASE_URL: url.toString() });
    expect(await service.exited).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10000);
    expect(service.output()).toMatch(/access denied/i);
  });
});

describe('the compiled service', () => {
  it('serves a real login, and on SIGTERM finishes in-flight requests and exits 0', async () => {
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const service = spawnService({
      ...PRODUCTION_ENV,
      DATABASE_URL: db.url,
      WECHAT_API_BASE_URL: emulator.url,
      PORT: port,
      HOST: '127.0.0.1',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitForOk(`${base}/health`);
      const first = await call(`${base}/auth/wechat/login`, {
        body: {
          code: (await mintLoginCode(emulator.url, { appId: PRODUCTION_ENV.WECHAT_APP_ID })).code,
        },
      });
      expect(first.status).toBe(200);

      await injectFault(emulator.url, {
        path: '/sns/jscode2session',
        type: 'delay',
        delayMs: 1500,
        times: 1,
      });
      const inFlight = call(`${base}/auth/wechat/login`, {
        body: {
          code: (await mintLoginCode(emulator.url, { appId: PRODUCTION_ENV.WECHAT_APP_ID })).code,
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 400));
      service.child.kill('SIGTERM');
      const result = await inFlight;
      expect(result.status).toBe(200);
      expect(await service.exited).toBe(0);
      // One JSON log line per request, with the request id and the user.
      const requestLines = service
        .output()
        .split('\n')
        .filter((line) => line.includes('"msg":"request"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(requestLines.length).toBeGreaterThanOrEqual(3);
      expect(requestLines.find((line) => line.route === '/auth/wechat/login')).toMatchObject({
        method: 'POST',
        status: 200,
        reqId: expect.any(String),
        ms: expect.any(Number),
      });
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});
