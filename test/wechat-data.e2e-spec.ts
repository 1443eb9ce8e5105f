import { createCipheriv } from 'node:crypto';
import { DEV_APP_ID, DEV_APP_SECRET } from '../emulator/wechat-emulator';
import { expectError } from './support/errors';
import { call } from './support/http';
import { RunningService, startService } from './support/service';
import { useTestStack } from './support/stack';
import { clearFaults, injectFault, mintLoginCode } from './support/wechat';

const stack = useTestStack();

afterEach(() => clearFaults(stack.emulator.url));

interface LoggedIn {
  token: string;
  userId: number;
  openid: string;
  sessionKey: string;
}

/** wx.login() on the emulator, then our login; answers what the mini-program would hold. */
async function loginUser(
  options: { openid?: string; userAgent?: string; url?: string } = {},
): Promise<LoggedIn> {
  const minted = await mintLoginCode(stack.emulator.url, { openid: options.openid });
  const result = await call(`${options.url ?? stack.service.url}/auth/wechat/login`, {
    body: { code: minted.code },
    headers: options.userAgent ? { 'user-agent': options.userAgent } : {},
  });
  expect(result.status).toBe(200);
  return {
    token: result.body.accessToken,
    userId: result.body.user.id,
    openid: minted.openid,
    sessionKey: minted.sessionKey,
  };
}

const control = async (path: string, body: unknown) => {
  const result = await call(`${stack.emulator.url}/__emulator/${path}`, { body });
  if (result.status !== 200) throw new Error(`emulator ${path}: ${result.text}`);
  return result.body;
};
const stats = async () => (await call(`${stack.emulator.url}/__emulator/stats`)).body;
const callsTo = async (path: string): Promise<number> => (await stats()).calls[path] ?? 0;
/**
 * Each WeChat user's own number, unless a test names one: a number belongs to one account
 * (PHONE_TAKEN), so users of this file must not share the emulator's default number.
 */
const numbers = new Map<string, string>();
const numberOf = (openid: string): string => {
  if (!numbers.has(openid)) numbers.set(openid, `136${String(numbers.size).padStart(8, '0')}`);
  return numbers.get(openid)!;
};
const phoneCode = async (
  openid: string,
  extra: { phoneNumber?: string; countryCode?: string } = {},
): Promise<string> =>
  (await control('phone-code', { openid, phoneNumber: numberOf(openid), ...extra })).code;

const bindPhone = (user: LoggedIn, body: unknown, url = stack.service.url) =>
  call(`${url}/users/me/phone`, { body, token: user.token });

const STABLE_TOKEN = '/cgi-bin/stable_token';
const PHONE = '/wxa/business/getuserphonenumber';

describe('POST /wechat/decrypt', () => {
  const decrypt = (user: LoggedIn, body: unknown) =>
    call(`${stack.service.url}/wechat/decrypt`, { body, token: user.token });

  /** Encrypts like WeChat, but lets the test choose the plaintext bytes and padding. */
  function encryptRaw(sessionKey: string, plaintext: Buffer, pad = true) {
    const iv = Buffer.alloc(16, 7);
    const cipher = createCipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), iv);
    cipher.setAutoPadding(pad);
    const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
  }

  it("decrypts data WeChat encrypted with the user's current session key", async () => {
    const user = await loginUser();
    const data = { phoneNumber: '13800138000', countryCode: '86', note: '小明😀' };
    const encrypted = await control('encrypt', { openid: user.openid, data });
    const result = await decrypt(user, encrypted);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      data: { ...data, watermark: { appid: DEV_APP_ID, timestamp: expect.any(Number) } },
    });
    expect(result.text).not.toContain(user.sessionKey);
  });

  it('fails with a stale session key after a new wx.login(), and works once that code is used to log in', async () => {
    const user = await loginUser();
    // wx.login() again: WeChat replaces the session key; our server has not seen the new code yet.
    const relogin = await mintLoginCode(stack.emulator.url, { openid: user.openid });
    const encrypted = await control('encrypt', { openid: user.openid, data: { stepCount: 1 } });
    const stale = await decrypt(user, encrypted);
    expectError(stale, 400, 'WECHAT_DECRYPT_FAILED', /wx\.login\(\) again/);
    expect(stale.text).not.toContain(relogin.sessionKey);

    const loggedIn = await call(`${stack.service.url}/auth/wechat/login`, {
      body: { code: relogin.code },
    });
    const fresh = await decrypt({ ...user, token: loggedIn.body.accessToken }, encrypted);
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.stepCount).toBe(1);
  });

  it('refuses data whose watermark names another app', async () => {
    const user = await loginUser();
    const encrypted = await control('encrypt', {
      openid: user.openid,
      data: { a: 1 },
      watermarkAppId: 'wx00000000000000aa',
    });
    expectError(
      await decrypt(user, encrypted),
      400,
      'WECHAT_DECRYPT_FAILED',
      /another mini-program/,
    );
  });

  describe('malformed input is WECHAT_DECRYPT_FAILED', () => {
    let user: LoggedIn;
    let good: { encryptedData: string; iv: string };
    beforeAll(async () => {
      user = await loginUser();
      good = await control('encrypt', { openid: user.openid, data: { a: 'b'.repeat(40) } });
    });
    const bytes = (base64: string) => Buffer.from(base64, 'base64');

    it('accepts the untouched data (the cases below each change one thing)', async () => {
      expect((await decrypt(user, good)).status).toBe(200);
    });

    it.each<[string, () => { encryptedData: string; iv: string }, RegExp]>([
      ['encryptedData that is not base64', () => ({ ...good, encryptedData: '!!!!' }), /base64/],
      ['an empty encryptedData', () => ({ ...good, encryptedData: '' }), /base64/],
      ['an iv that is not base64', () => ({ ...good, iv: 'not base64 at all!!!!!==' }), /base64/],
      [
        'a 15-byte iv',
        () => ({ ...good, iv: bytes(good.iv).subarray(0, 15).toString('base64') }),
        /iv must be base64 of 16 bytes/,
      ],
      [
        'a 17-byte iv',
        () => ({
          ...good,
          iv: Buffer.concat([bytes(good.iv), Buffer.from([0])]).toString('base64'),
        }),
        /iv must be base64 of 16 bytes/,
      ],
      [
        'a ciphertext cut mid-block',
        () => ({
          ...good,
          encryptedData: bytes(good.encryptedData).subarray(0, -3).toString('base64'),
        }),
        /16-byte blocks/,
      ],
      [
        'a ciphertext that lost its last block',
        () => ({
          ...good,
          encryptedData: bytes(good.encryptedData).subarray(0, -16).toString('base64'),
        }),
        /bad padding/,
      ],
      [
        'bad PKCS#7 padding under the right key',
        () =>
          encryptRaw(
            user.sessionKey,
            Buffer.concat([
              Buffer.from(`{"watermark":{"appid":"${DEV_APP_ID}"}}    `), // 48 bytes
              Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
            ]),
            false,
          ),
        /bad padding/,
      ],
      [
        'a plaintext that is not JSON',
        () => encryptRaw(user.sessionKey, Buffer.from('hello, world')),
        /not JSON/,
      ],
      [
        'a JSON array',
        () => encryptRaw(user.sessionKey, Buffer.from(`[{"watermark":{"appid":"${DEV_APP_ID}"}}]`)),
        /not an object/,
      ],
      [
        'JSON without a watermark',
        () => encryptRaw(user.sessionKey, Buffer.from('{"openId":"x"}')),
        /no watermark/,
      ],
    ])('%s', async (_name, input, message) => {
      expectError(await decrypt(user, input()), 400, 'WECHAT_DECRYPT_FAILED', message);
    });
  });

  it('refuses a user with no usable stored session key', async () => {
    const user = await loginUser();
    const encrypted = await control('encrypt', { openid: user.openid, data: { a: 1 } });
    await stack.db.query("UPDATE wx_user SET session_key_cipher = 'x.y.z' WHERE openid = ?", [
      user.openid,
    ]);
    expectError(await decrypt(user, encrypted), 400, 'WECHAT_DECRYPT_FAILED', /log in again/);
    await stack.db.query('UPDATE wx_user SET session_key_cipher = NULL WHERE openid = ?', [
      user.openid,
    ]);
    expectError(await decrypt(user, encrypted), 400, 'WECHAT_DECRYPT_FAILED', /log in again/);
  });

  it.each<[string, unknown]>([
    ['no iv', { encryptedData: 'AAAA' }],
    ['no encryptedData', { iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
    ['a numeric iv', { encryptedData: 'AAAA', iv: 16 }],
    ['a null encryptedData', { encryptedData: null, iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
    ['an unknown field', { encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==', openid: 'x' }],
    ['an array body', [{ encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }]],
  ])('%s is VALIDATION_FAILED', async (_name, body) => {
    const user = await loginUser();
    expectError(await decrypt(user, body), 400, 'VALIDATION_FAILED');
  });

  it('needs a bearer token', async () => {
    const result = await call(`${stack.service.url}/wechat/decrypt`, {
      body: { encryptedData: 'AAAA', iv: 'AAAA' },
    });
    expectError(result, 401, 'UNAUTHORIZED');
  });
});

describe('POST /users/me/phone', () => {
  const storedPhone = async (userId: number) =>
    (
      await stack.db.query<{ phone: string | null; phone_country_code: string | null }>(
        'SELECT phone, phone_country_code FROM account WHERE id = ?',
        [userId],
      )
    )[0];

  it('exchanges the code and stores the number', async () => {
    const user = await loginUser();
    const result = await bindPhone(user, {
      code: await phoneCode(user.openid, { phoneNumber: '13912345678' }),
    });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      phoneNumber: '13912345678',
      purePhoneNumber: '13912345678',
      countryCode: '86',
    });
    expect(await storedPhone(user.userId)).toEqual({
      phone: '13912345678',
      phone_country_code: '86',
    });
    const me = await call(`${stack.service.url}/users/me`, { token: user.token });
    expect(me.body.phone).toBe('13912345678');
  });

  it('keeps a foreign number as WeChat gives it, with its country code', async () => {
    const user = await loginUser();
    const code = await phoneCode(user.openid, { phoneNumber: '2025550123', countryCode: '1' });
    const result = await bindPhone(user, { code });
    expect(result.body).toEqual({
      phoneNumber: '+12025550123',
      purePhoneNumber: '2025550123',
      countryCode: '1',
    });
    expect(await storedPhone(user.userId)).toEqual({
      phone: '+12025550123',
      phone_country_code: '1',
    });
  });

  it('refuses a used code and an unknown code with WECHAT_CODE_INVALID, storing nothing', async () => {
    const user = await loginUser();
    const code = await phoneCode(user.openid);
    expect((await bindPhone(user, { code })).status).toBe(200);
    expectError(await bindPhone(user, { code }), 401, 'WECHAT_CODE_INVALID');

    const other = await loginUser();
    expectError(await bindPhone(other, { code: 'no-such-code' }), 401, 'WECHAT_CODE_INVALID');
    expect(await storedPhone(other.userId)).toEqual({ phone: null, phone_country_code: null });
  });

  it("refuses another user's code (the caller's openid is sent along), without spending it", async () => {
    const owner = await loginUser();
    const thief = await loginUser();
    const code = await phoneCode(owner.openid, { phoneNumber: '13700000000' });
    expectError(await bindPhone(thief, { code }), 401, 'WECHAT_CODE_INVALID');
    expect(await storedPhone(thief.userId)).toEqual({ phone: null, phone_country_code: null });
    expect((await bindPhone(owner, { code })).status).toBe(200);
  });

  it.each<[string, unknown]>([
    ['no code', {}],
    ['an empty code', { code: '' }],
    ['a code with a space', { code: 'abc def' }],
    ['a code of 129 characters', { code: 'a'.repeat(129) }],
    ['a non-ASCII code', { code: 'código' }],
    ['a numeric code', { code: 123 }],
    ['an unknown field', { code: 'abc', phone: '13800138000' }],
  ])('%s is VALIDATION_FAILED and never reaches WeChat', async (_name, body) => {
    const user = await loginUser();
    const before = await callsTo(PHONE);
    expectError(await bindPhone(user, body), 400, 'VALIDATION_FAILED');
    expect(await callsTo(PHONE)).toBe(before);
  });

  it('accepts a code of 128 printable ASCII characters (WeChat then judges it)', async () => {
    const user = await loginUser();
    expectError(await bindPhone(user, { code: '~'.repeat(128) }), 401, 'WECHAT_CODE_INVALID');
  });

  it.each([40001, 40014, 42001])(
    'when WeChat invalidates the access token (%i), fetches a new one and retries once',
    async (errcode) => {
      const user = await loginUser();
      expect((await bindPhone(user, { code: await phoneCode(user.openid) })).status).toBe(200);
      const before = await stats();
      await control('access-token/invalidate', { as: errcode });

      const result = await bindPhone(user, { code: await phoneCode(user.openid) });
      expect(result.status).toBe(200);
      const after = await stats();
      expect(after.calls[STABLE_TOKEN] - before.calls[STABLE_TOKEN]).toBe(1);
      expect(after.stableTokensIssued - before.stableTokensIssued).toBe(1);
      expect(after.calls[PHONE] - before.calls[PHONE]).toBe(2);
    },
  );

  it('after an invalidation, 10 concurrent calls share one refetch and all succeed', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => loginUser()));
    expect((await bindPhone(users[0], { code: await phoneCode(users[0].openid) })).status).toBe(
      200,
    );
    await control('access-token/invalidate', { as: 42001 });
    const before = await callsTo(STABLE_TOKEN);
    const codes = await Promise.all(users.map((user) => phoneCode(user.openid)));
    const results = await Promise.all(users.map((user, i) => bindPhone(user, { code: codes[i] })));
    expect(results.map((result) => result.status)).toEqual(Array(10).fill(200));
    expect((await callsTo(STABLE_TOKEN)) - before).toBe(1);
  });

  it('retries only once: a token error on the retry is WECHAT_UNAVAILABLE and the code stays usable', async () => {
    const user = await loginUser();
    const code = await phoneCode(user.openid);
    expect((await bindPhone(user, { code: await phoneCode(user.openid) })).status).toBe(200);
    const before = await callsTo(PHONE);
    await injectFault(stack.emulator.url, {
      path: PHONE,
      type: 'errcode',
      errcode: 42001,
      times: 2,
    });
    expectError(await bindPhone(user, { code }), 503, 'WECHAT_UNAVAILABLE');
    expect((await callsTo(PHONE)) - before).toBe(2);
    expect((await bindPhone(user, { code })).status).toBe(200);
  });

  it('maps WeChat errors other than token errors without refetching the token', async () => {
    const user = await loginUser();
    expect((await bindPhone(user, { code: await phoneCode(user.openid) })).status).toBe(200);
    const before = await callsTo(STABLE_TOKEN);
    await injectFault(stack.emulator.url, { path: PHONE, type: 'errcode', errcode: 45011 });
    expectError(
      await bindPhone(user, { code: await phoneCode(user.openid) }),
      429,
      'WECHAT_RATE_LIMITED',
    );
    await injectFault(stack.emulator.url, { path: PHONE, type: 'errcode', errcode: -1, times: 2 });
    expectError(
      await bindPhone(user, { code: await phoneCode(user.openid) }),
      503,
      'WECHAT_UNAVAILABLE',
    );
    expect(await callsTo(STABLE_TOKEN)).toBe(before);
  });

  it('needs a bearer token', async () => {
    expectError(
      await call(`${stack.service.url}/users/me/phone`, { body: { code: 'x' } }),
      401,
      'UNAUTHORIZED',
    );
  });
});

describe('PATCH /users/me', () => {
  const patch = (user: LoggedIn, body: unknown) =>
    call(`${stack.service.url}/users/me`, { method: 'PATCH', body, token: user.token });
  const row = async (userId: number) =>
    (
      await stack.db.query<{ nickname: string | null; avatar_url: string | null; gender: number }>(
        'SELECT nickname, avatar_url, gender FROM account WHERE id = ?',
        [userId],
      )
    )[0];

  it('POST /users/me/profile does the same, for clients whose wx.request cannot PATCH', async () => {
    const user = await loginUser();
    const result = await call(`${stack.service.url}/users/me/profile`, {
      body: { nickname: '小红🌸', gender: 2 },
      token: user.token,
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ id: user.userId, nickname: '小红🌸', gender: 2 });
    expect(await row(user.userId)).toMatchObject({ nickname: '小红🌸', gender: 2 });
    const invalid = await call(`${stack.service.url}/users/me/profile`, {
      body: {},
      token: user.token,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    const anonymous = await call(`${stack.service.url}/users/me/profile`, { body: { gender: 1 } });
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
  });

  it('updates the given fields and answers the fresh user', async () => {
    const user = await loginUser();
    const result = await patch(user, {
      nickname: '小明😀👍🏽',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/a/132',
      gender: 2,
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      id: user.userId,
      openid: user.openid,
      nickname: '小明😀👍🏽',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/a/132',
      gender: 2,
      loginCount: 1,
      status: 'active',
    });
    expect(await row(user.userId)).toEqual({
      nickname: '小明😀👍🏽',
      avatar_url: 'https://thirdwx.qlogo.cn/mmopen/a/132',
      gender: 2,
    });

    const nicknameOnly = await patch(user, { nickname: 'Band' });
    expect(nicknameOnly.body).toMatchObject({
      nickname: 'Band',
      avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/a/132',
      gender: 2,
    });
    const genderZero = await patch(user, { gender: 0 });
    expect(genderZero.body).toMatchObject({ nickname: 'Band', gender: 0 });
    const me = await call(`${stack.service.url}/users/me`, { token: user.token });
    expect(me.body).toEqual(genderZero.body);
  });

  it('accepts 64 emoji and an avatar URL of 512 characters', async () => {
    const user = await loginUser();
    const avatarUrl = `http://example.com/${'a'.repeat(512 - 'http://example.com/'.length)}`;
    const result = await patch(user, { nickname: '😀'.repeat(64), avatarUrl });
    expect(result.status).toBe(200);
    expect(result.body.nickname).toBe('😀'.repeat(64));
    expect((await row(user.userId)).avatar_url).toBe(avatarUrl);
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['65 emoji', { nickname: '😀'.repeat(65) }],
    ['an empty nickname', { nickname: '' }],
    ['a null nickname', { nickname: null }],
    ['a lone surrogate', { nickname: 'a\ud800b' }],
    ['a control character', { nickname: 'a\u0007b' }],
    ['a numeric nickname', { nickname: 7 }],
    ['gender 3', { gender: 3 }],
    ['gender as a string', { gender: '1' }],
    ['a javascript: avatar', { avatarUrl: 'javascript:alert(1)' }],
    ['an ftp avatar', { avatarUrl: 'ftp://example.com/a.png' }],
    ['an avatar of 513 characters', { avatarUrl: `https://e.com/${'a'.repeat(499)}` }],
    ['an unknown field', { nickname: 'ok', openid: 'oSomeoneElse' }],
    ['phone, which only WeChat may set', { phone: '13800138000' }],
    ['an array body', [{ nickname: 'x' }]],
  ])('%s is VALIDATION_FAILED and changes nothing', async (_name, body) => {
    const user = await loginUser();
    const before = await row(user.userId);
    expectError(await patch(user, body), 400, 'VALIDATION_FAILED');
    expect(await row(user.userId)).toEqual(before);
  });

  it('needs a bearer token', async () => {
    const result = await call(`${stack.service.url}/users/me`, {
      method: 'PATCH',
      body: { gender: 1 },
    });
    expectError(result, 401, 'UNAUTHORIZED');
  });
});

describe('GET /users/me/logins', () => {
  const logins = (user: LoggedIn, query = '') =>
    call(`${stack.service.url}/users/me/logins${query}`, { token: user.token });
  /** Logins of the user's identity (the one openid it logged in with). */
  const insertLogins = async (user: LoggedIn, count: number, at: Date) => {
    for (let i = 0; i < count; i++) {
      await stack.db.query(
        `INSERT INTO login_log (wx_user_id, at, ip, user_agent, is_new_user)
           SELECT id, ?, ?, ?, 0 FROM wx_user WHERE openid = ?`,
        [at, '198.51.100.7', `inserted ${i}`, user.openid],
      );
    }
  };

  const loginOf = (appId: string) => ({ appId, at: expect.any(String), ip: '127.0.0.1' });

  it("lists the caller's logins, newest first", async () => {
    const first = await loginUser({ userAgent: 'agent one' });
    await loginUser({ openid: first.openid, userAgent: 'agent two' });
    const third = await loginUser({ openid: first.openid, userAgent: 'agent three' });
    await loginUser({ userAgent: 'somebody else' });

    const result = await logins(third);
    expect(result.status).toBe(200);
    expect(result.body).toEqual([
      { ...loginOf(DEV_APP_ID), userAgent: 'agent three', isNewUser: false },
      { ...loginOf(DEV_APP_ID), userAgent: 'agent two', isNewUser: false },
      { ...loginOf(DEV_APP_ID), userAgent: 'agent one', isNewUser: true },
    ]);
    const times = (result.body as Array<{ at: string }>).map((login) => login.at);
    for (const at of times) expect(new Date(at).toISOString()).toBe(at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('orders logins of the same instant by insertion, newest first', async () => {
    const user = await loginUser();
    await insertLogins(user, 3, new Date('2030-01-01T00:00:00.000Z'));
    const result = await logins(user, '?limit=3');
    expect(result.body).toEqual(
      ['inserted 2', 'inserted 1', 'inserted 0'].map((userAgent) => ({
        appId: DEV_APP_ID,
        at: '2030-01-01T00:00:00.000Z',
        ip: '198.51.100.7',
        userAgent,
        isNewUser: false,
      })),
    );
  });

  it('answers 20 by default, and 1 to 100 on request', async () => {
    const user = await loginUser();
    await insertLogins(user, 120, new Date('2020-01-01T00:00:00.000Z'));
    expect((await logins(user)).body).toHaveLength(20);
    expect((await logins(user, '?limit=1')).body).toHaveLength(1);
    expect((await logins(user, '?limit=57')).body).toHaveLength(57);
    const hundred = await logins(user, '?limit=100');
    expect(hundred.body).toHaveLength(100);
    // The real login (2020 rows are older) comes first.
    expect(hundred.body[0]).toMatchObject({ isNewUser: true, ip: '127.0.0.1' });
  });

  it.each(['abc', '0', '101', '1.5', '-1', '', '1e1', '+5', ' 5', '0x10'])(
    'limit=%j is VALIDATION_FAILED',
    async (limit) => {
      const user = await loginUser();
      expectError(
        await logins(user, `?limit=${encodeURIComponent(limit)}`),
        400,
        'VALIDATION_FAILED',
      );
    },
  );

  it('a repeated limit and unknown query parameters are VALIDATION_FAILED', async () => {
    const user = await loginUser();
    expectError(await logins(user, '?limit=1&limit=2'), 400, 'VALIDATION_FAILED');
    expectError(await logins(user, '?offset=5'), 400, 'VALIDATION_FAILED');
    expectError(await logins(user, '?limit=5&userId=1'), 400, 'VALIDATION_FAILED');
  });

  it('needs a bearer token', async () => {
    expectError(await call(`${stack.service.url}/users/me/logins`), 401, 'UNAUTHORIZED');
  });
});

// Last in this file: Passport keeps one global 'jwt' strategy per process, so after another
// instance starts and stops, the main instance's guard would run on the stopped one's services.
describe('POST /users/me/phone on a fresh instance (empty token cache)', () => {
  let fresh: RunningService | undefined;
  afterEach(async () => {
    await fresh?.close();
    fresh = undefined;
  });

  it('20 concurrent calls make exactly one stable_token call (single flight)', async () => {
    fresh = await startService(stack.env);
    const user = await loginUser();
    const codes = await Promise.all(Array.from({ length: 20 }, () => phoneCode(user.openid)));
    const before = await callsTo(STABLE_TOKEN);
    // Keep the one fetch in flight long enough for all 20 requests to arrive meanwhile.
    await injectFault(stack.emulator.url, { path: STABLE_TOKEN, type: 'delay', delayMs: 500 });
    const results = await Promise.all(codes.map((code) => bindPhone(user, { code }, fresh!.url)));
    expect(results.map((result) => result.status)).toEqual(Array(20).fill(200));
    expect((await callsTo(STABLE_TOKEN)) - before).toBe(1);
  });

  it('a refused token fetch is WECHAT_MISCONFIGURED or WECHAT_UNAVAILABLE and is not cached', async () => {
    fresh = await startService(stack.env);
    const user = await loginUser();
    const code = await phoneCode(user.openid);
    for (const errcode of [40013, 40125, 40001, 40164, 40243]) {
      await injectFault(stack.emulator.url, { path: STABLE_TOKEN, type: 'errcode', errcode });
      expectError(
        await bindPhone(user, { code }, fresh.url),
        502,
        'WECHAT_MISCONFIGURED',
        new RegExp(`errcode ${errcode}`),
      );
    }
    await injectFault(stack.emulator.url, {
      path: STABLE_TOKEN,
      type: 'errcode',
      errcode: -1,
      times: 2,
    });
    expectError(await bindPhone(user, { code }, fresh.url), 503, 'WECHAT_UNAVAILABLE');
    await injectFault(stack.emulator.url, { path: STABLE_TOKEN, type: 'http500', times: 2 });
    expectError(await bindPhone(user, { code }, fresh.url), 503, 'WECHAT_UNAVAILABLE');
    await injectFault(stack.emulator.url, { path: STABLE_TOKEN, type: 'errcode', errcode: -1 });
    expect((await bindPhone(user, { code }, fresh.url)).status).toBe(200);
  });

  it('a wrong app secret is WECHAT_MISCONFIGURED, and no log line carries a secret or token', async () => {
    const wrongSecret = 'ffffffffffffffffffffffffffffffff';
    fresh = await startService(
      { ...stack.env, WECHAT_APP_SECRET: wrongSecret },
      { captureLogs: true },
    );
    const user = await loginUser();
    expectError(
      await bindPhone(user, { code: await phoneCode(user.openid) }, fresh.url),
      502,
      'WECHAT_MISCONFIGURED',
    );
    expect(fresh.logs.join('\n')).not.toContain(wrongSecret);

    await fresh.close();
    fresh = await startService(stack.env, { captureLogs: true });
    const result = await bindPhone(user, { code: await phoneCode(user.openid) }, fresh.url);
    expect(result.status).toBe(200);
    const logs = fresh.logs.join('\n');
    expect(logs).toContain('Fetched a WeChat stable token');
    expect(logs).not.toContain(DEV_APP_SECRET);
    expect(logs).not.toContain((await stats()).currentStableToken);
  });
});
