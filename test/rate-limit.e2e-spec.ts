import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { createTestDatabase, TestDatabase } from './support/database';
import { call } from './support/http';
import { RunningService, startService } from './support/service';
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

async function serviceWith(env: Record<string, string>) {
  const service = await startService({
    DATABASE_URL: db.url,
    WECHAT_API_BASE_URL: emulator.url,
    LOGIN_RATE_LIMIT: '3',
    LOGIN_RATE_WINDOW: '60s',
    ...env,
  });
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
