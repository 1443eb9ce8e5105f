import { randomInt } from 'node:crypto';
import Redis from 'ioredis';
import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { createTestDatabase, TestDatabase } from './support/database';
import { call } from './support/http';
import { RunningService, startService } from './support/service';
import { TcpProxy } from './support/tcp-proxy';
import { mintLoginCode } from './support/wechat';

let db: TestDatabase;
let emulator: RunningEmulator;
const services: RunningService[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({ port: 0 });
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await emulator?.close();
  await db?.drop();
});

async function serviceWith(env: Record<string, string>, options: { captureLogs?: boolean } = {}) {
  const service = await startService(
    {
      DATABASE_URL: db.url,
      WECHAT_API_BASE_URL: emulator.url,
      LOGIN_RATE_LIMIT: '3',
      LOGIN_RATE_WINDOW: '60s',
      ...env,
    },
    options,
  );
  services.push(service);
  return service;
}

const attempt = (service: RunningService, headers: Record<string, string> = {}) =>
  call(`${service.url}/auth/wechat/login`, { body: { code: 'not-a-real-code' }, headers });

describe('login rate limit', () => {
  it('allows LOGIN_RATE_LIMIT attempts per window, then RATE_LIMITED with Retry-After', async () => {
    const service = await serviceWith({});
    for (let i = 0; i < 3; i++) expect((await attempt(service)).status).toBe(401);
    const limited = await attempt(service);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.any(String),
      requestId: expect.any(String),
    });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Only logins are limited.
    expect((await call(`${service.url}/health`)).status).toBe(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer: spoofed addresses share one bucket', async () => {
    const service = await serviceWith({ TRUST_PROXY: 'false' });
    for (let i = 0; i < 3; i++) await attempt(service, { 'x-forwarded-for': `198.51.100.${i}` });
    expect((await attempt(service, { 'x-forwarded-for': '198.51.100.99' })).status).toBe(429);
  });

  it('behind a trusted proxy counts per real client; other clients are not affected', async () => {
    const service = await serviceWith({ TRUST_PROXY: '127.0.0.1' });
    for (let i = 0; i < 3; i++) await attempt(service, { 'x-forwarded-for': '203.0.113.7' });
    expect((await attempt(service, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    expect((await attempt(service, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
    // The rightmost untrusted address is the client: a forged leftmost entry changes nothing.
    expect((await attempt(service, { 'x-forwarded-for': '10.9.9.9, 203.0.113.7' })).status).toBe(
      429,
    );
  });

  it('records the real client address behind a trusted proxy, IPv4-mapped written as IPv4', async () => {
    const service = await serviceWith({ TRUST_PROXY: 'loopback', LOGIN_RATE_LIMIT: '100' });
    const minted = await mintLoginCode(emulator.url);
    const result = await call(`${service.url}/auth/wechat/login`, {
      body: { code: minted.code },
      headers: { 'x-forwarded-for': '::ffff:203.0.113.9' },
    });
    expect(result.status).toBe(200);
    expect(result.body.user.lastLoginIp).toBe('203.0.113.9');
    const logs = await call(`${service.url}/users/me`, { token: result.body.accessToken });
    expect(logs.body.lastLoginIp).toBe('203.0.113.9');
  });
});

describe('client address from a trusted X-Forwarded-For', () => {
  it('falls back to the peer when the header holds no IP address, and drops IPv6 zone ids', async () => {
    const service = await serviceWith({ TRUST_PROXY: 'true', LOGIN_RATE_LIMIT: '100' });
    const cases: Array<[string, string]> = [
      ['a'.repeat(100), '127.0.0.1'],
      ['203.0.113.9:1234', '127.0.0.1'],
      [`fe80::1%${'x'.repeat(60)}`, 'fe80::1'],
      ['2001:db8::7', '2001:db8::7'],
    ];
    for (const [forwardedFor, expected] of cases) {
      const minted = await mintLoginCode(emulator.url);
      const result = await call(`${service.url}/auth/wechat/login`, {
        body: { code: minted.code },
        headers: { 'x-forwarded-for': forwardedFor },
      });
      expect(result.status).toBe(200);
      expect(result.body.user.lastLoginIp).toBe(expected);
    }
  });
});

describe('login rate limit shared through REDIS_URL', () => {
  // A database of its own on the machine's Redis, emptied first: counts of earlier runs or
  // other tests must not leak in.
  const REDIS_URL = 'redis://127.0.0.1:6379/7';
  const proxy = new TcpProxy(6379);
  // Each test's client IP is new, so its count starts at zero.
  const newClient = () => ({ 'x-forwarded-for': `198.18.${randomInt(256)}.${randomInt(1, 255)}` });

  beforeAll(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    await proxy.start();
  });
  afterAll(() => proxy.stop());

  it('counts a client once across instances', async () => {
    const a = await serviceWith({ REDIS_URL, TRUST_PROXY: '127.0.0.1' });
    const b = await serviceWith({ REDIS_URL, TRUST_PROXY: '127.0.0.1' });
    const client = newClient();
    expect((await attempt(a, client)).status).toBe(401);
    expect((await attempt(b, client)).status).toBe(401);
    expect((await attempt(a, client)).status).toBe(401);
    const limited = await attempt(b, client);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await attempt(a, newClient())).status).toBe(401);
  });

  it('while Redis is down counts per instance and never fails a login; then goes back to Redis', async () => {
    const viaProxy = `redis://127.0.0.1:${proxy.port}/7`;
    const other = await serviceWith({ REDIS_URL, TRUST_PROXY: '127.0.0.1' });
    // Started last: Nest's static Logger writes through the newest application's logger.
    const service = await serviceWith(
      { REDIS_URL: viaProxy, TRUST_PROXY: '127.0.0.1' },
      { captureLogs: true },
    );
    expect((await attempt(service, newClient())).status).toBe(401);

    proxy.cut();
    const client = newClient();
    for (let i = 0; i < 3; i++) expect((await attempt(service, client)).status).toBe(401);
    expect((await attempt(service, client)).status).toBe(429);
    // Counted in this instance only: the other one has not seen the client.
    expect((await attempt(other, client)).status).toBe(401);
    const outageLines = service.logs.filter((line) => line.includes('Redis cannot be reached'));
    expect(outageLines).toHaveLength(1);

    proxy.restore();
    const deadline = Date.now() + 10_000;
    while (!service.logs.some((line) => line.includes('Redis answers again'))) {
      expect(Date.now()).toBeLessThan(deadline);
      await attempt(service, newClient());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const shared = newClient();
    for (let i = 0; i < 3; i++) expect((await attempt(service, shared)).status).toBe(401);
    expect((await attempt(other, shared)).status).toBe(429);
  });
});
