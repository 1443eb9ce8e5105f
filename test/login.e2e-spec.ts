import { createHash } from 'node:crypto';
import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { call } from './support/http';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

const stack = useTestStack();

const login = (body: unknown, headers: Record<string, string> = {}) =>
  call(`${stack.service.url}/auth/wechat/login`, { body, headers });
/** Accounts and identities: a refused login may write neither. */
const countUsers = async () =>
  (
    await stack.db.query<{ accounts: number; identities: number }>(
      'SELECT (SELECT COUNT(*) FROM account) AS accounts, (SELECT COUNT(*) FROM wx_user) AS identities',
    )
  )[0];

describe('POST /auth/wechat/login', () => {
  it('creates a new user, then recognises the returning one', async () => {
    const first = await mintLoginCode(stack.emulator.url);
    const created = await login({ code: first.code });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 7200,
      refreshExpiresIn: 2592000,
      isNewUser: true,
      user: {
        appId: DEV_APP_ID,
        openid: first.openid,
        unionid: null,
        nickname: null,
        avatarUrl: null,
        gender: 0,
        phone: null,
        status: 'active',
        lastLoginIp: '127.0.0.1',
        loginCount: 1,
      },
    });
    expect(typeof created.body.user.id).toBe('number');
    expect(new Date(created.body.user.createdAt).toISOString()).toBe(created.body.user.createdAt);
    expect(created.body.user.identities).toEqual([
      {
        appId: DEV_APP_ID,
        type: 'miniprogram',
        openid: first.openid,
        unionid: null,
        createdAt: expect.any(String),
        lastLoginAt: created.body.user.lastLoginAt,
      },
    ]);

    const again = await mintLoginCode(stack.emulator.url, { openid: first.openid });
    const returning = await login({ code: again.code });
    expect(returning.status).toBe(200);
    expect(returning.body.isNewUser).toBe(false);
    expect(returning.body.user.id).toBe(created.body.user.id);
    expect(returning.body.user.loginCount).toBe(2);

    const logs = await stack.db.query<{ is_new_user: number }>(
      `SELECT l.is_new_user FROM login_log l JOIN wx_user w ON w.id = l.wx_user_id
        WHERE w.account_id = ? ORDER BY l.id`,
      [created.body.user.id],
    );
    expect(logs.map((row) => Boolean(row.is_new_user))).toEqual([true, false]);
  });

  it('round-trips an emoji nickname and keeps the profile and unionid when a later login has none', async () => {
    const minted = await mintLoginCode(stack.emulator.url, {
      unionid: 'oUnion_keep_me_0123456789ab',
    });
    const userInfo = {
      nickName: '小明😀👍🏽',
      avatarUrl: 'https://example.com/a.png',
      gender: 2,
      city: 'Shenzhen',
    };
    const first = await login({ code: minted.code, userInfo });
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({
      nickname: '小明😀👍🏽',
      avatarUrl: 'https://example.com/a.png',
      gender: 2,
      unionid: 'oUnion_keep_me_0123456789ab',
    });
    const stored = await stack.db.query<{ nickname: string }>(
      'SELECT a.nickname FROM account a JOIN wx_user w ON w.account_id = a.id WHERE w.openid = ?',
      [minted.openid],
    );
    expect(stored[0].nickname).toBe('小明😀👍🏽');

    // WeChat gives no unionid this time, and the client sends no profile.
    const again = await mintLoginCode(stack.emulator.url, { openid: minted.openid });
    const second = await login({ code: again.code });
    expect(second.body.user).toMatchObject({
      nickname: '小明😀👍🏽',
      avatarUrl: 'https://example.com/a.png',
      gender: 2,
      unionid: 'oUnion_keep_me_0123456789ab',
    });
  });

  it('accepts a 64-emoji nickname and refuses 65', async () => {
    const ok = await login({
      code: (await mintLoginCode(stack.emulator.url)).code,
      userInfo: { nickName: '😀'.repeat(64) },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.nickname).toBe('😀'.repeat(64));
    const tooLong = await login({ code: 'whatever', userInfo: { nickName: '😀'.repeat(65) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('VALIDATION_FAILED');
  });

  it('stores the session key encrypted, never in plain text', async () => {
    const minted = await mintLoginCode(stack.emulator.url);
    expect((await login({ code: minted.code })).status).toBe(200);
    const rows = await stack.db.query<Record<string, unknown>>(
      'SELECT * FROM wx_user WHERE openid = ?',
      [minted.openid],
    );
    const row = JSON.stringify(rows[0]);
    const keyHex = Buffer.from(minted.sessionKey, 'base64').toString('hex');
    expect(row).not.toContain(minted.sessionKey);
    expect(row).not.toContain(keyHex);
    expect(rows[0].session_key_cipher).toEqual(expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/));
    expect(rows[0].session_key_kid).toEqual(expect.stringMatching(/^[0-9a-f]{8}$/));
  });

  it('refuses a code that was already used', async () => {
    const minted = await mintLoginCode(stack.emulator.url);
    expect((await login({ code: minted.code })).status).toBe(200);
    const reused = await login({ code: minted.code });
    expect(reused.status).toBe(401);
    expect(reused.body).toEqual({
      statusCode: 401,
      code: 'WECHAT_CODE_INVALID',
      message: expect.any(String),
      requestId: expect.any(String),
    });
  });

  it('creates exactly one row for 50 concurrent first logins of one openid, all succeeding', async () => {
    const first = await mintLoginCode(stack.emulator.url);
    const codes = [first.code];
    for (let i = 1; i < 50; i++)
      codes.push((await mintLoginCode(stack.emulator.url, { openid: first.openid })).code);
    const results = await Promise.all(codes.map((code) => login({ code })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.filter((r) => r.body.isNewUser === true)).toHaveLength(1);
    const rows = await stack.db.query<{
      account_id: number;
      login_count: number;
      account_logins: number;
    }>(
      `SELECT w.account_id, w.login_count, a.login_count AS account_logins
         FROM wx_user w JOIN account a ON a.id = w.account_id WHERE w.openid = ?`,
      [first.openid],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].login_count).toBe(50);
    expect(rows[0].account_logins).toBe(50);
    expect(new Set(results.map((r) => r.body.user.id))).toEqual(new Set([rows[0].account_id]));
  });

  it('handles 20 openids × 10 concurrent logins: 20 rows, 10 logins each', async () => {
    const users = await Promise.all(
      Array.from({ length: 20 }, () => mintLoginCode(stack.emulator.url)),
    );
    const codes: string[] = users.map((u) => u.code);
    for (const user of users) {
      for (let i = 1; i < 10; i++)
        codes.push((await mintLoginCode(stack.emulator.url, { openid: user.openid })).code);
    }
    const results = await Promise.all(codes.map((code) => login({ code })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.isNewUser).length).toBe(20);
    const rows = await stack.db.query<{
      account_id: number;
      login_count: number;
      account_logins: number;
    }>(
      `SELECT w.account_id, w.login_count, a.login_count AS account_logins
         FROM wx_user w JOIN account a ON a.id = w.account_id
        WHERE w.openid IN (${users.map(() => '?').join(',')})`,
      users.map((u) => u.openid),
    );
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((row) => row.account_id)).size).toBe(20);
    expect(rows.every((row) => row.login_count === 10 && row.account_logins === 10)).toBe(true);
  });

  it('uses the client IP from X-Forwarded-For only when TRUST_PROXY says so (here: not)', async () => {
    const minted = await mintLoginCode(stack.emulator.url);
    const result = await login({ code: minted.code }, { 'x-forwarded-for': '203.0.113.9' });
    expect(result.body.user.lastLoginIp).toBe('127.0.0.1');
  });

  describe('bad input is 400 VALIDATION_FAILED and writes nothing', () => {
    const cases: Array<[string, unknown]> = [
      ['no code', {}],
      ['empty code', { code: '' }],
      ['code with a space', { code: 'abc def' }],
      ['code too long', { code: 'a'.repeat(129) }],
      ['code not a string', { code: 123 }],
      ['unknown field', { code: 'abc', admin: true }],
      ['unknown userInfo field', { code: 'abc', userInfo: { nickName: 'x', isAdmin: true } }],
      ['userInfo not an object', { code: 'abc', userInfo: 'x' }],
      ['gender out of range', { code: 'abc', userInfo: { gender: 3 } }],
      ['gender as string', { code: 'abc', userInfo: { gender: '1' } }],
      ['avatar not http(s)', { code: 'abc', userInfo: { avatarUrl: 'javascript:alert(1)' } }],
      ['empty nickname', { code: 'abc', userInfo: { nickName: '' } }],
      ['lone surrogate nickname', { code: 'abc', userInfo: { nickName: 'a\ud800b' } }],
      ['C1 control character in nickname', { code: 'abc', userInfo: { nickName: 'a\u0085b' } }],
      ['rawData without signature', { code: 'abc', rawData: '{}' }],
      ['signature without rawData', { code: 'abc', signature: 'a'.repeat(40) }],
      ['signature not 40 hex', { code: 'abc', rawData: '{}', signature: 'xyz' }],
      ['array body', [{ code: 'abc' }]],
      ['null body', null],
    ];
    it.each(cases)('%s', async (_name, body) => {
      const before = await countUsers();
      const result = await login(body);
      expect(result.status).toBe(400);
      expect(result.body).toEqual({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(await countUsers()).toEqual(before);
    });

    it('malformed JSON, a non-JSON content type and an empty body', async () => {
      const url = `${stack.service.url}/auth/wechat/login`;
      const malformed = await call(url, {
        raw: '{"code":',
        headers: { 'content-type': 'application/json' },
      });
      const textPlain = await call(url, {
        raw: 'code=abc',
        headers: { 'content-type': 'text/plain' },
      });
      const form = await call(url, {
        raw: 'code=abc',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const empty = await call(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      for (const result of [malformed, textPlain, form, empty]) {
        expect(result.status).toBe(400);
        expect(result.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('a body that is not UTF-8 is refused as such; UTF-8 multi-byte text is fine', async () => {
      const url = `${stack.service.url}/auth/wechat/login`;
      const headers = { 'content-type': 'application/json' };
      const latin1 = await call(url, {
        raw: Buffer.concat([
          Buffer.from('{"code":"'),
          Buffer.from([0xe9, 0xff]),
          Buffer.from('"}'),
        ]),
        headers,
      });
      expect(latin1.status).toBe(400);
      expect(latin1.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'Request body is not valid UTF-8',
      });
      const minted = await mintLoginCode(stack.emulator.url);
      const utf8 = await call(url, {
        raw: Buffer.from(JSON.stringify({ code: minted.code, userInfo: { nickName: '小明😀' } })),
        headers,
      });
      expect(utf8.status).toBe(200);
      expect(utf8.body.user.nickname).toBe('小明😀');
    });

    it('a body over BODY_LIMIT is 413 PAYLOAD_TOO_LARGE', async () => {
      const result = await login({
        code: 'abc',
        rawData: 'x'.repeat(70 * 1024),
        signature: 'a'.repeat(40),
      });
      expect(result.status).toBe(413);
      expect(result.body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  it('verifies rawData against the session key; a match supplies the profile and wins over userInfo', async () => {
    const sessionKey = 'HyVFkGl5F5OQWJZZaNzBBg==';
    const minted = await mintLoginCode(stack.emulator.url, { sessionKey });
    const rawData = JSON.stringify({
      nickName: 'Band',
      gender: 1,
      avatarUrl: 'http://wx.qlogo.cn/a/0',
      city: 'Guangzhou',
    });
    const signature = createHash('sha1')
      .update(rawData + sessionKey)
      .digest('hex');
    const result = await login({
      code: minted.code,
      rawData,
      signature,
      userInfo: { nickName: 'ignored' },
    });
    expect(result.status).toBe(200);
    expect(result.body.user).toMatchObject({
      nickname: 'Band',
      gender: 1,
      avatarUrl: 'http://wx.qlogo.cn/a/0',
    });
  });

  it('refuses a signature that does not verify and writes nothing', async () => {
    const minted = await mintLoginCode(stack.emulator.url);
    const before = await countUsers();
    const result = await login({
      code: minted.code,
      rawData: '{"nickName":"x"}',
      signature: 'a'.repeat(40),
    });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('WECHAT_SIGNATURE_INVALID');
    expect(await countUsers()).toEqual(before);
  });
});

describe('errors and routing', () => {
  it('answers unknown routes and wrong methods with 404 NOT_FOUND in the error shape', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/auth/wechat/login'],
      ['PUT', '/users/me'],
    ]) {
      const result = await call(`${stack.service.url}${path}`, { method });
      expect(result.status).toBe(404);
      expect(result.body).toMatchObject({
        statusCode: 404,
        code: 'NOT_FOUND',
        requestId: expect.any(String),
      });
    }
  });

  it('refuses query parameters and body fields a route does not take (after the guard)', async () => {
    const minted = await mintLoginCode(stack.emulator.url);
    const session = (await login({ code: minted.code })).body;
    const token = session.accessToken;
    const refused = [
      await call(`${stack.service.url}/health?x=1`),
      await call(`${stack.service.url}/users/me?x=1`, { token }),
      await call(`${stack.service.url}/auth/wechat/login?foo=1`, { body: { code: 'abc' } }),
      await call(`${stack.service.url}/auth/logout`, { method: 'POST', body: { x: 1 }, token }),
      await call(`${stack.service.url}/auth/logout`, { method: 'POST', body: [1], token }),
    ];
    for (const result of refused) {
      expect(result.status).toBe(400);
      expect(result.body.code).toBe('VALIDATION_FAILED');
    }
    // Still logged in: nothing was done.
    expect((await call(`${stack.service.url}/users/me`, { token })).status).toBe(200);
    expect((await call(`${stack.service.url}/users/me?x=1`)).status).toBe(401);
    expect(
      (await call(`${stack.service.url}/auth/logout`, { method: 'POST', body: {}, token })).status,
    ).toBe(204);
  });

  it('answers HEAD with 404 as any other method a route does not have', async () => {
    for (const path of ['/health', '/users/me']) {
      const result = await call(`${stack.service.url}${path}`, { method: 'HEAD' });
      expect(result.status).toBe(404);
    }
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const good = await call(`${stack.service.url}/nope`, {
      headers: { 'x-request-id': 'trace-123.abc' },
    });
    expect(good.body.requestId).toBe('trace-123.abc');
    const bad = await call(`${stack.service.url}/nope`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(bad.body.requestId).not.toBe('bad id with spaces');
    expect(bad.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers on every answer, and no CORS headers unless configured', async () => {
    const origin = { origin: 'https://evil.example' };
    for (const result of [
      await call(`${stack.service.url}/health`, { headers: origin }),
      await call(`${stack.service.url}/nope`, { headers: origin }),
      await login({ code: 'x' }, origin),
      await call(`${stack.service.url}/users/me`, { headers: origin }),
    ]) {
      expect(result.headers.get('x-content-type-options')).toBe('nosniff');
      expect(result.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(result.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(result.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('serves /health and /health/ready', async () => {
    expect((await call(`${stack.service.url}/health`)).status).toBe(200);
    expect((await call(`${stack.service.url}/health/ready`)).status).toBe(200);
  });
});
