import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { createTestDatabase, TestDatabase } from './support/database';
import { call } from './support/http';
import { RunningService, startService } from './support/service';
import { mintLoginCode } from './support/wechat';

// Two instances of the service on one database and one WeChat: with /cgi-bin/stable_token
// they share WeChat's one live token instead of invalidating each other's (as the classic
// /cgi-bin/token does).

let db: TestDatabase;
let emulator: RunningEmulator;
let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({ port: 0 });
  const env = {
    DATABASE_URL: db.url,
    WECHAT_API_BASE_URL: emulator.url,
    LOGIN_RATE_LIMIT: '100000',
  };
  [a, b] = await Promise.all([startService(env), startService(env)]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await emulator?.close();
  await db?.drop();
});

const STABLE_TOKEN = '/cgi-bin/stable_token';
const PHONE = '/wxa/business/getuserphonenumber';

interface Stats {
  calls: Record<string, number>;
  stableTokensIssued: number;
  currentStableToken: string | null;
}
const stats = async (): Promise<Stats> => (await call(`${emulator.url}/__emulator/stats`)).body;

/** Logs a new user in on `instance` and binds a phone number there; answers the HTTP status. */
async function bindPhoneOn(instance: RunningService, phoneNumber: string): Promise<number> {
  const minted = await mintLoginCode(emulator.url);
  const login = await call(`${instance.url}/auth/wechat/login`, { body: { code: minted.code } });
  expect(login.status).toBe(200);
  const { code } = (
    await call(`${emulator.url}/__emulator/phone-code`, {
      body: { openid: minted.openid, phoneNumber },
    })
  ).body;
  const bound = await call(`${instance.url}/users/me/phone`, {
    body: { code },
    token: login.body.accessToken,
  });
  if (bound.status === 200) {
    const rows = await db.query<{ phone: string }>('SELECT phone FROM account WHERE id = ?', [
      login.body.user.id,
    ]);
    expect(rows[0].phone).toBe(phoneNumber);
  }
  return bound.status;
}

describe('two instances and one stable access token', () => {
  it('WeChat issues one token, and both instances use it successfully', async () => {
    const statuses = await Promise.all([
      bindPhoneOn(a, '13800000001'),
      bindPhoneOn(b, '13800000002'),
    ]);
    expect(statuses).toEqual([200, 200]);
    const after = await stats();
    expect(after.stableTokensIssued).toBe(1);
    // Each instance fetched once (its own cache), and both got the same token.
    expect(after.calls[STABLE_TOKEN]).toBe(2);
    expect(after.calls[PHONE]).toBe(2);
    expect(after.currentStableToken).toEqual(expect.any(String));
  });

  it('later calls on either instance use their cached token, with no fetch', async () => {
    const before = await stats();
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => bindPhoneOn(i % 2 === 0 ? a : b, `1390000000${i}`)),
    );
    expect(statuses).toEqual(Array(10).fill(200));
    const after = await stats();
    expect(after.calls[STABLE_TOKEN]).toBe(before.calls[STABLE_TOKEN]);
    expect(after.stableTokensIssued).toBe(1);
    expect(after.currentStableToken).toBe(before.currentStableToken);
  });

  it('after WeChat invalidates the token, each instance refetches once and both share the new one', async () => {
    const invalidated = await call(`${emulator.url}/__emulator/access-token/invalidate`, {
      body: { as: 42001 },
    });
    expect(invalidated.body.invalidated).toBeGreaterThanOrEqual(1);
    const before = await stats();
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => bindPhoneOn(i % 2 === 0 ? a : b, `1370000000${i}`)),
    );
    expect(statuses).toEqual(Array(6).fill(200));
    const after = await stats();
    expect(after.stableTokensIssued).toBe(2);
    expect(after.calls[STABLE_TOKEN] - before.calls[STABLE_TOKEN]).toBe(2);
  });
});
