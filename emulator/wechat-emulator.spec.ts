import { createDecipheriv, createHmac } from 'node:crypto';
import {
  DEV_APP_ID,
  DEV_APP_SECRET,
  startWechatEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from './wechat-emulator';

const OTHER_APP_ID = 'wx00000000000000aa';
const OTHER_APP_SECRET = 'ffffffffffffffffffffffffffffffff';
const RID = /, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
const OPENID = /^o[A-Za-z0-9_-]{27}$/;
const SESSION_KEY = /^[A-Za-z0-9+/]{22}==$/;
// Published checksession vectors (WECHAT.md).
const VECTOR_KEY = 'o0q0otL8aEzpcZL/FT9WsQ==';
const VECTOR_SIGNATURE = '46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128';

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  watermark: { timestamp: number; appid: string };
}

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  session_key?: string;
  openid?: string;
  unionid?: string;
  access_token?: string;
  expires_in?: number;
  phone_info?: PhoneInfo;
}

interface MintedCode {
  code: string;
  openid: string;
  unionid: string | null;
  sessionKey: string;
  appId: string;
}

interface Stats {
  calls: Record<string, number>;
  stableTokensIssued: number;
  currentStableToken: string | null;
  users: number;
  apps: Record<
    string,
    { stableTokensIssued: number; currentStableToken: string | null; users: number }
  >;
}

// Jest's asymmetric matchers are typed `any`; handing them out as `unknown` keeps type-aware
// lint rules satisfied without weakening the checks.
const anyString: unknown = expect.any(String);
const anyNumber: unknown = expect.any(Number);
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

let emulator: RunningEmulator;

async function send(
  base: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${base.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

async function control<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  base = emulator,
): Promise<T> {
  const answer = await send(base, method, `/__emulator/${path}`, body);
  expect({ status: answer.status, text: answer.text }).toEqual({
    status: 200,
    text: anyString,
  });
  return JSON.parse(answer.text) as T;
}

const mintCode = (body: Record<string, unknown> = {}, base = emulator): Promise<MintedCode> =>
  control<MintedCode>('POST', 'login-code', body, base);

function sessionPath(code: string, overrides: Record<string, string | null> = {}): string {
  const params: Record<string, string | null> = {
    appid: DEV_APP_ID,
    secret: DEV_APP_SECRET,
    js_code: code,
    grant_type: 'authorization_code',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) query.set(key, value);
  }
  return `/sns/jscode2session?${query.toString()}`;
}

async function wechat(
  method: string,
  path: string,
  body?: unknown,
  base = emulator,
): Promise<WechatAnswer> {
  const answer = await send(base, method, path, body);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as WechatAnswer;
}

const exchange = (
  code: string,
  overrides: Record<string, string | null> = {},
  base = emulator,
): Promise<WechatAnswer> => wechat('GET', sessionPath(code, overrides), undefined, base);

const stableToken = (body: Record<string, unknown>, base = emulator): Promise<WechatAnswer> =>
  wechat('POST', '/cgi-bin/stable_token', body, base);

async function fetchToken(
  appId = DEV_APP_ID,
  secret = DEV_APP_SECRET,
  base = emulator,
): Promise<string> {
  const answer = await stableToken({ grant_type: 'client_credential', appid: appId, secret }, base);
  expect(typeof answer.access_token).toBe('string');
  return answer.access_token ?? '';
}

const phone = (token: string | null, body: Record<string, unknown>): Promise<WechatAnswer> =>
  wechat(
    'POST',
    `/wxa/business/getuserphonenumber${token === null ? '' : `?access_token=${token}`}`,
    body,
  );

const signature = (sessionKey: string): string =>
  createHmac('sha256', sessionKey).update('').digest('hex');

function sessionCall(
  route: 'checksession' | 'resetusersessionkey',
  params: { token?: string; openid?: string; signature?: string; sigMethod?: string },
  base = emulator,
): Promise<WechatAnswer> {
  const query = new URLSearchParams({ sig_method: params.sigMethod ?? 'hmac_sha256' });
  if (params.token !== undefined) query.set('access_token', params.token);
  if (params.openid !== undefined) query.set('openid', params.openid);
  if (params.signature !== undefined) query.set('signature', params.signature);
  return wechat('GET', `/wxa/${route}?${query.toString()}`, undefined, base);
}

const advanceClock = (seconds: number, base = emulator): Promise<unknown> =>
  control('POST', 'advance-clock', { seconds }, base);

/** expires_in is rounded down, so the real milliseconds a test takes may cost it one second. */
function expectToken(answer: WechatAnswer, token: string | undefined, expiresIn: number): void {
  expect(answer.access_token).toBe(token);
  expect(answer.expires_in).toBeLessThanOrEqual(expiresIn);
  expect(answer.expires_in).toBeGreaterThanOrEqual(expiresIn - 1);
}

function expectError(answer: WechatAnswer, errcode: number, errmsgStart: string): void {
  expect(answer.errcode).toBe(errcode);
  expect(answer.errmsg?.startsWith(errmsgStart)).toBe(true);
}

async function withEmulator(
  options: EmulatorOptions,
  run: (base: RunningEmulator) => Promise<void>,
): Promise<void> {
  const base = await startWechatEmulator({ port: 0, ...options });
  try {
    await run(base);
  } finally {
    await base.close();
  }
}

beforeAll(async () => {
  emulator = await startWechatEmulator({
    port: 0,
    apps: [
      { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET },
      { appId: OTHER_APP_ID, appSecret: OTHER_APP_SECRET },
    ],
  });
});

afterAll(() => emulator.close());

beforeEach(() => control('POST', 'reset'));

describe('server basics', () => {
  it('answers the health route and reports its url and port', async () => {
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(await control('GET', 'health')).toEqual({ ok: true });
  });

  it('answers unknown paths with 404 and a small JSON body', async () => {
    const answer = await send(emulator, 'GET', '/cgi-bin/nope');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toEqual({ error: 'no such route', path: '/cgi-bin/nope' });
    expect((await send(emulator, 'POST', '/__emulator/nope', {})).status).toBe(404);
  });

  it('refuses malformed control requests with 400', async () => {
    for (const [path, body] of [
      ['login-code', '{not json'],
      ['login-code', { openId: 'typo' }],
      ['login-code', { appId: 'wxunknown' }],
      ['login-codes', {}],
      ['login-codes', { count: 0 }],
      ['phone-code', { phoneNumber: '138-0013' }],
      ['faults', { path: '/sns/unknown', type: 'errcode' }],
      ['faults', { path: '/sns/jscode2session', type: 'explode' }],
      ['access-token/invalidate', { as: 40125 }],
      ['advance-clock', { seconds: -1 }],
    ] as const) {
      const answer = await send(emulator, 'POST', `/__emulator/${path}`, body);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(answer.text)).toEqual({ error: anyString });
    }
  });

  it('answers a WeChat route called with the wrong method like WeChat', async () => {
    expectError(await wechat('GET', '/cgi-bin/stable_token'), 43002, 'require POST method');
    expectError(await wechat('POST', sessionPath('x'), {}), 43001, 'require GET method');
  });

  it('rejects invalid options', async () => {
    await expect(startWechatEmulator({ apps: [] })).rejects.toThrow('at least one app');
    await expect(startWechatEmulator({ stableTokenTtlSeconds: 0 })).rejects.toThrow(
      'stableTokenTtlSeconds',
    );
    await expect(
      startWechatEmulator({ stableTokenTtlSeconds: 60, stableTokenRefreshWindowSeconds: 60 }),
    ).rejects.toThrow('stableTokenRefreshWindowSeconds');
  });

  it('close() ends keep-alive connections and calls in flight, and may be called twice', async () => {
    const base = await startWechatEmulator({ port: 0 });
    expect((await send(base, 'GET', '/__emulator/health')).status).toBe(200);
    await control(
      'POST',
      'faults',
      { path: '/sns/jscode2session', type: 'delay', delayMs: 60_000 },
      base,
    );
    const stuck = fetch(`${base.url}${sessionPath('x')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await base.close();
    await base.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(stuck).rejects.toThrow();
  });
});

describe('GET /sns/jscode2session', () => {
  it('exchanges a code for the session key and openid, as text/plain JSON without errcode', async () => {
    const minted = await mintCode();
    expect(minted).toEqual({
      code: matching(/^[A-Za-z0-9]{32}$/),
      openid: matching(OPENID),
      unionid: null,
      sessionKey: matching(SESSION_KEY),
      appId: DEV_APP_ID,
    });
    expect(Buffer.from(minted.sessionKey, 'base64')).toHaveLength(16);

    const answer = await send(emulator, 'GET', sessionPath(minted.code));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    expect(JSON.parse(answer.text)).toEqual({
      session_key: minted.sessionKey,
      openid: minted.openid,
    });
  });

  it('includes unionid only for users that have one', async () => {
    const minted = await mintCode({ unionid: 'oUnion0000000000000000000001' });
    expect(await exchange(minted.code)).toEqual({
      session_key: minted.sessionKey,
      openid: minted.openid,
      unionid: 'oUnion0000000000000000000001',
    });
  });

  it('gives openids of one app a shared prefix and a new openid per new user', async () => {
    const first = await mintCode();
    const second = await mintCode();
    expect(first.openid).not.toBe(second.openid);
    expect(first.openid.slice(0, 6)).toBe(second.openid.slice(0, 6));
  });

  it('accepts a code once, then answers 40163 code been used', async () => {
    const { code } = await mintCode();
    expect((await exchange(code)).errcode).toBeUndefined();
    const again = await exchange(code);
    expectError(again, 40163, 'code been used');
    expect(again.errmsg).toMatch(RID);
  });

  it('answers 40029 for unknown, expired and other-app codes', async () => {
    expectError(await exchange('0a3Xyz0000000000000000000000000'), 40029, 'invalid code');

    const otherApp = await mintCode({ appId: OTHER_APP_ID });
    expectError(await exchange(otherApp.code), 40029, 'invalid code');
    expect(
      await exchange(otherApp.code, { appid: OTHER_APP_ID, secret: OTHER_APP_SECRET }),
    ).toEqual({
      session_key: otherApp.sessionKey,
      openid: otherApp.openid,
    });

    const { code } = await mintCode();
    await advanceClock(301);
    const expired = await exchange(code);
    expectError(expired, 40029, 'invalid code');
    expect(expired.errmsg).toMatch(RID);
  });

  it('honours codeTtlSeconds', async () => {
    await withEmulator({ codeTtlSeconds: 10 }, async (base) => {
      const early = await mintCode({}, base);
      const late = await mintCode({}, base);
      await advanceClock(9, base);
      expect((await exchange(early.code, {}, base)).openid).toBe(early.openid);
      await advanceClock(1, base);
      expectError(await exchange(late.code, {}, base), 40029, 'invalid code');
    });
  });

  it('answers malformed and misconfigured calls with their errcodes', async () => {
    const { code } = await mintCode();
    const cases: Array<[Record<string, string | null>, number, string]> = [
      [{ appid: null }, 41002, 'appid missing'],
      [{ secret: null }, 41004, 'appsecret missing'],
      [{ js_code: null }, 41008, 'missing code'],
      [{ appid: 'wx0000000000000000' }, 40013, 'invalid appid'],
      [{ secret: OTHER_APP_SECRET }, 40125, 'invalid appsecret'],
      [{ grant_type: 'client_credential' }, 40002, 'invalid grant_type'],
    ];
    for (const [overrides, errcode, errmsg] of cases) {
      const answer = await exchange(code, overrides);
      expectError(answer, errcode, errmsg);
      expect(answer.errmsg).toMatch(RID);
    }
    // None of those spent the code.
    expect((await exchange(code)).session_key).toEqual(matching(SESSION_KEY));
  });

  it("returns the session key as of the code's minting and keeps one key per user", async () => {
    const first = await mintCode();
    const second = await mintCode({ openid: first.openid });
    expect(second.openid).toBe(first.openid);
    expect(second.sessionKey).not.toBe(first.sessionKey);
    const chosen = await mintCode({ openid: first.openid, sessionKey: VECTOR_KEY });
    expect(chosen.sessionKey).toBe(VECTOR_KEY);

    expect((await exchange(first.code)).session_key).toBe(first.sessionKey);
    expect((await exchange(chosen.code)).session_key).toBe(VECTOR_KEY);
    // Only the newest key is the user's current one.
    const token = await fetchToken();
    expect(
      (
        await sessionCall('checksession', {
          token,
          openid: first.openid,
          signature: signature(VECTOR_KEY),
        })
      ).errcode,
    ).toBe(0);
    expectError(
      await sessionCall('checksession', {
        token,
        openid: first.openid,
        signature: signature(first.sessionKey),
      }),
      87009,
      'invalid signature',
    );
  });

  it('keeps a stored unionid unless a new one (or null) is given', async () => {
    const first = await mintCode({ unionid: 'oUnionA' });
    expect((await mintCode({ openid: first.openid })).unionid).toBe('oUnionA');
    expect((await mintCode({ openid: first.openid, unionid: null })).unionid).toBeNull();
  });

  it('mints codes in bulk, cheaply', async () => {
    const started = Date.now();
    const { codes } = await control<{ codes: MintedCode[] }>('POST', 'login-codes', {
      count: 5000,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(codes).toHaveLength(5000);
    expect(new Set(codes.map((minted) => minted.code)).size).toBe(5000);
    expect(new Set(codes.map((minted) => minted.openid)).size).toBe(5000);
    for (const minted of [codes[0], codes[4999]]) {
      expect(await exchange(minted?.code ?? '')).toEqual({
        session_key: minted?.sessionKey,
        openid: minted?.openid,
      });
    }
    const stats = await control<Stats>('GET', 'stats');
    expect(stats.users).toBe(5000);
  });

  it('mints bulk codes for one openid, each with its own session key', async () => {
    const { codes } = await control<{ codes: MintedCode[] }>('POST', 'login-codes', {
      count: 3,
      openid: 'oFixedOpenid',
    });
    expect(codes.map((minted) => minted.openid)).toEqual([
      'oFixedOpenid',
      'oFixedOpenid',
      'oFixedOpenid',
    ]);
    expect(new Set(codes.map((minted) => minted.sessionKey)).size).toBe(3);
  });
});

describe('POST /cgi-bin/stable_token', () => {
  const credentials = {
    grant_type: 'client_credential',
    appid: DEV_APP_ID,
    secret: DEV_APP_SECRET,
  };

  it('hands every caller the same token, counting expires_in down', async () => {
    const answer = await send(emulator, 'POST', '/cgi-bin/stable_token', credentials);
    expect(answer.contentType).toMatch(/^application\/json/);
    const first = JSON.parse(answer.text) as WechatAnswer;
    expect(first).toEqual({
      access_token: matching(/^[A-Za-z0-9_-]{136}$/),
      expires_in: 7200,
    });

    await advanceClock(100);
    expectToken(await stableToken(credentials), first.access_token, 7100);
    expectToken(
      await stableToken({ ...credentials, force_refresh: false }),
      first.access_token,
      7100,
    );
  });

  it('keeps tokens of different apps apart', async () => {
    const dev = await fetchToken();
    const other = await fetchToken(OTHER_APP_ID, OTHER_APP_SECRET);
    expect(other).not.toBe(dev);
  });

  it('hands out a successor in the last 5 minutes, with both valid until the old one expires', async () => {
    const old = await fetchToken();
    const minted = await mintCode();
    const check = (token: string): Promise<WechatAnswer> =>
      sessionCall('checksession', {
        token,
        openid: minted.openid,
        signature: signature(minted.sessionKey),
      });

    await advanceClock(7200 - 301);
    expectToken(await stableToken(credentials), old, 301);
    await advanceClock(2);
    const renewed = await stableToken(credentials);
    expect(renewed).toEqual({ access_token: anyString, expires_in: 7200 });
    const successor = renewed.access_token ?? '';
    expect(successor).not.toBe(old);
    expectToken(await stableToken(credentials), successor, 7200);
    expect((await check(old)).errcode).toBe(0);
    expect((await check(successor)).errcode).toBe(0);

    await advanceClock(299);
    expectError(await check(old), 42001, 'access_token expired');
    expect((await check(successor)).errcode).toBe(0);
  });

  it('scales the overlap window down for short TTLs', async () => {
    await withEmulator({ stableTokenTtlSeconds: 240 }, async (base) => {
      const body = { grant_type: 'client_credential', appid: DEV_APP_ID, secret: DEV_APP_SECRET };
      const old = await fetchToken(DEV_APP_ID, DEV_APP_SECRET, base);
      await advanceClock(229, base);
      expectToken(await stableToken(body, base), old, 11);
      await advanceClock(2, base);
      const renewed = await stableToken(body, base);
      expect(renewed.access_token).not.toBe(old);
      expect(renewed.expires_in).toBe(240);
    });
  });

  it('force_refresh revokes the old token (40001) and issues a new one', async () => {
    const old = await fetchToken();
    const minted = await mintCode();
    const refreshed = await stableToken({ ...credentials, force_refresh: true });
    expect(refreshed).toEqual({ access_token: anyString, expires_in: 7200 });
    expect(refreshed.access_token).not.toBe(old);
    const params = { openid: minted.openid, signature: signature(minted.sessionKey) };
    expectError(
      await sessionCall('checksession', { token: old, ...params }),
      40001,
      'invalid credential',
    );
    expect(
      (await sessionCall('checksession', { token: refreshed.access_token, ...params })).errcode,
    ).toBe(0);
  });

  it('answers bad requests with their errcodes', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...credentials, appid: undefined }, 41002, 'appid missing'],
      [{ ...credentials, secret: '' }, 41004, 'appsecret missing'],
      [{ ...credentials, grant_type: 'authorization_code' }, 40002, 'invalid grant_type'],
      [{ ...credentials, appid: 'wx0000000000000000' }, 40013, 'invalid appid'],
      [{ ...credentials, secret: OTHER_APP_SECRET }, 40001, 'invalid credential'],
    ];
    for (const [body, errcode, errmsg] of cases) {
      const answer = await stableToken(body);
      expectError(answer, errcode, errmsg);
      expect(answer.errmsg).toMatch(RID);
    }
    expectError(
      await wechat('POST', '/cgi-bin/stable_token', '{"grant_type":'),
      47001,
      'data format error',
    );
    expect((await control<Stats>('GET', 'stats')).stableTokensIssued).toBe(0);
  });

  it('invalidate makes the current token fail with 42001 (or 40001) and the next fetch fresh', async () => {
    const minted = await mintCode();
    const params = { openid: minted.openid, signature: signature(minted.sessionKey) };

    const first = await fetchToken();
    expect(await control('POST', 'access-token/invalidate', {})).toEqual({ invalidated: 1 });
    expectError(
      await sessionCall('checksession', { token: first, ...params }),
      42001,
      'access_token expired',
    );

    const second = await fetchToken();
    expect(second).not.toBe(first);
    await control('POST', 'access-token/invalidate', { appId: DEV_APP_ID, as: 40001 });
    expectError(
      await sessionCall('checksession', { token: second, ...params }),
      40001,
      'invalid credential',
    );
    expect(
      (await sessionCall('checksession', { token: await fetchToken(), ...params })).errcode,
    ).toBe(0);
  });
});

describe('POST /wxa/business/getuserphonenumber', () => {
  it('exchanges a phone code once, with errcode 0 and a watermark of the token app', async () => {
    const token = await fetchToken();
    const { code } = await control<{ code: string }>('POST', 'phone-code', {});
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    const answer = await send(
      emulator,
      'POST',
      `/wxa/business/getuserphonenumber?access_token=${token}`,
      { code },
    );
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(answer.text) as WechatAnswer;
    const now = Math.floor(Date.now() / 1000);
    expect(body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { timestamp: anyNumber, appid: DEV_APP_ID },
      },
    });
    expect(Math.abs((body.phone_info?.watermark.timestamp ?? 0) - now)).toBeLessThanOrEqual(2);

    const again = await phone(token, { code });
    expect(again.errcode).toBe(40029);
    expect(again.errmsg).toMatch(
      /^invalid code hint: \[[A-Za-z0-9]+\] rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/,
    );
  });

  it('gives numbers outside mainland China with their country code', async () => {
    const token = await fetchToken();
    const { code } = await control<{ code: string }>('POST', 'phone-code', {
      phoneNumber: '2025550123',
      countryCode: '1',
    });
    expect((await phone(token, { code })).phone_info).toMatchObject({
      phoneNumber: '+12025550123',
      purePhoneNumber: '2025550123',
      countryCode: '1',
    });
  });

  it('checks the openid when one is sent, without spending the code on a mismatch', async () => {
    const token = await fetchToken();
    const { code } = await control<{ code: string }>('POST', 'phone-code', { openid: 'oOwner' });
    expect((await phone(token, { code, openid: 'oSomeoneElse' })).errcode).toBe(40029);
    expect((await phone(token, { code, openid: 'oOwner' })).errcode).toBe(0);

    const unbound = await control<{ code: string }>('POST', 'phone-code', {});
    expect((await phone(token, { code: unbound.code, openid: 'oAnyone' })).errcode).toBe(0);
  });

  it('answers 40029 for unknown, missing and expired codes and 40013 for another app', async () => {
    const token = await fetchToken();
    expect((await phone(token, { code: 'nope' })).errcode).toBe(40029);
    expect((await phone(token, {})).errcode).toBe(40029);
    expectError(
      await wechat('POST', `/wxa/business/getuserphonenumber?access_token=${token}`, '{'),
      47001,
      'data format error',
    );

    const foreign = await control<{ code: string }>('POST', 'phone-code', { appId: OTHER_APP_ID });
    expectError(await phone(token, { code: foreign.code }), 40013, 'invalid appid');
    expect(
      (await phone(await fetchToken(OTHER_APP_ID, OTHER_APP_SECRET), { code: foreign.code }))
        .errcode,
    ).toBe(0);

    const { code } = await control<{ code: string }>('POST', 'phone-code', {});
    await advanceClock(300);
    expect((await phone(await fetchToken(), { code })).errcode).toBe(40029);
  });

  it('answers token errors: 41001 missing, 40001 unknown, 42001 expired', async () => {
    const { code } = await control<{ code: string }>('POST', 'phone-code', {});
    expectError(await phone(null, { code }), 41001, 'access_token missing');
    expectError(await phone('86_unknown', { code }), 40001, 'invalid credential');
    const token = await fetchToken();
    await advanceClock(7200);
    const expired = await phone(token, { code });
    expectError(expired, 42001, 'access_token expired');
    expect(expired.errmsg).toMatch(RID);
  });
});

describe('GET /wxa/checksession and /wxa/resetusersessionkey', () => {
  it('matches the published signature vectors', async () => {
    expect(signature(VECTOR_KEY)).toBe(VECTOR_SIGNATURE);
    expect(signature('HyVFkGl5F5OQWJZZaNzBBg==')).toBe(
      '252b75c92698025afe925b29cca5517fdf9ee67aae072cf3225ebf3a53783058',
    );
    const { openid } = await mintCode({ sessionKey: VECTOR_KEY });
    const token = await fetchToken();
    const answer = await send(
      emulator,
      'GET',
      `/wxa/checksession?access_token=${token}&openid=${openid}&signature=${VECTOR_SIGNATURE}&sig_method=hmac_sha256`,
    );
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it('answers 87009, 87008, 40003 and token errors', async () => {
    const { openid } = await mintCode({ sessionKey: VECTOR_KEY });
    const token = await fetchToken();
    expectError(
      await sessionCall('checksession', {
        token,
        openid,
        signature: signature('HyVFkGl5F5OQWJZZaNzBBg=='),
      }),
      87009,
      'invalid signature',
    );
    expectError(await sessionCall('checksession', { token, openid }), 87009, 'invalid signature');
    expectError(
      await sessionCall('checksession', {
        token,
        openid,
        signature: VECTOR_SIGNATURE,
        sigMethod: 'md5',
      }),
      87008,
      'invalid sig_method',
    );
    expectError(
      await sessionCall('checksession', { token, openid: 'oNobody', signature: VECTOR_SIGNATURE }),
      40003,
      'invalid openid',
    );
    expectError(
      await sessionCall('checksession', { openid, signature: VECTOR_SIGNATURE }),
      41001,
      'access_token missing',
    );
    expectError(
      await sessionCall('resetusersessionkey', {
        token: 'bad',
        openid,
        signature: VECTOR_SIGNATURE,
      }),
      40001,
      'invalid credential',
    );
  });

  it('resetusersessionkey replaces the session key', async () => {
    const { openid } = await mintCode({ sessionKey: VECTOR_KEY });
    const token = await fetchToken();
    const reset = await sessionCall('resetusersessionkey', {
      token,
      openid,
      signature: VECTOR_SIGNATURE,
    });
    expect(reset).toEqual({
      errcode: 0,
      errmsg: 'ok',
      openid,
      session_key: matching(SESSION_KEY),
    });
    const fresh = reset.session_key ?? '';
    expect(fresh).not.toBe(VECTOR_KEY);

    expectError(
      await sessionCall('checksession', { token, openid, signature: VECTOR_SIGNATURE }),
      87009,
      'invalid signature',
    );
    expect(
      (await sessionCall('checksession', { token, openid, signature: signature(fresh) })).errcode,
    ).toBe(0);
    expectError(
      await sessionCall('resetusersessionkey', { token, openid, signature: VECTOR_SIGNATURE }),
      87009,
      'invalid signature',
    );
  });
});

describe('POST /__emulator/encrypt', () => {
  function decrypt(sessionKey: string, encrypted: { encryptedData: string; iv: string }): unknown {
    const decipher = createDecipheriv(
      'aes-128-cbc',
      Buffer.from(sessionKey, 'base64'),
      Buffer.from(encrypted.iv, 'base64'),
    );
    const plain = Buffer.concat([
      decipher.update(Buffer.from(encrypted.encryptedData, 'base64')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8'));
  }

  it("encrypts data with the user's current session key and adds a watermark", async () => {
    const { openid, sessionKey } = await mintCode();
    const data = { openId: openid, nickName: '小明😀', gender: 1 };
    const encrypted = await control<{ encryptedData: string; iv: string }>('POST', 'encrypt', {
      openid,
      data,
    });
    expect(Buffer.from(encrypted.iv, 'base64')).toHaveLength(16);
    expect(encrypted.iv).toHaveLength(24);
    expect(decrypt(sessionKey, encrypted)).toEqual({
      ...data,
      watermark: { appid: DEV_APP_ID, timestamp: anyNumber },
    });

    const again = await control<{ encryptedData: string; iv: string }>('POST', 'encrypt', {
      openid,
      data,
    });
    expect(again.iv).not.toBe(encrypted.iv);
  });

  it('can stamp a foreign watermark, and follows the session key after a new login', async () => {
    const { openid } = await mintCode();
    const { sessionKey } = await mintCode({ openid });
    const encrypted = await control<{ encryptedData: string; iv: string }>('POST', 'encrypt', {
      openid,
      data: { purePhoneNumber: '13800138000' },
      watermarkAppId: OTHER_APP_ID,
    });
    expect(decrypt(sessionKey, encrypted)).toMatchObject({ watermark: { appid: OTHER_APP_ID } });
  });

  it('refuses unknown users, non-object data and session keys that are not 16 bytes', async () => {
    const { openid } = await mintCode({ sessionKey: 'not-a-session-key' });
    for (const body of [
      { openid: 'oNobody', data: {} },
      { openid, data: [1, 2] },
      { openid, data: {} },
      { data: {} },
    ]) {
      expect((await send(emulator, 'POST', '/__emulator/encrypt', body)).status).toBe(400);
    }
  });
});

describe('faults', () => {
  const loginPath = '/sns/jscode2session';

  it('errcode faults answer HTTP 200 with that errcode, and leave the code valid', async () => {
    const { code, openid } = await mintCode();
    expect(
      await control('POST', 'faults', { path: loginPath, type: 'errcode', errcode: -1 }),
    ).toEqual({ id: anyString });
    const answer = await send(emulator, 'GET', sessionPath(code));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    const body = JSON.parse(answer.text) as WechatAnswer;
    expectError(body, -1, 'system error');
    expect(body.errmsg).toMatch(RID);
    expect((await exchange(code)).openid).toBe(openid);
  });

  it('errcode faults take a custom errmsg and use application/json off /sns', async () => {
    await control('POST', 'faults', {
      path: '/cgi-bin/stable_token',
      type: 'errcode',
      errcode: 45009,
      errmsg: 'quota',
    });
    const answer = await send(emulator, 'POST', '/cgi-bin/stable_token', {});
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual({
      errcode: 45009,
      errmsg: matching(/^quota, rid: /),
    });
  });

  it('http500 answers 500 with an HTML page', async () => {
    await control('POST', 'faults', { path: loginPath, type: 'http500' });
    const answer = await send(emulator, 'GET', sessionPath('x'));
    expect(answer.status).toBe(500);
    expect(answer.contentType).toMatch(/^text\/html/);
    expect(answer.text).toContain('500 Internal Server Error');
  });

  it('nonjson, html and empty answer 200 with a body that is not JSON', async () => {
    for (const type of ['nonjson', 'html', 'empty']) {
      await control('POST', 'faults', { path: loginPath, type });
      const answer = await send(emulator, 'GET', sessionPath('x'));
      expect(answer.status).toBe(200);
      expect(() => JSON.parse(answer.text) as unknown).toThrow();
      if (type === 'html') expect(answer.contentType).toMatch(/^text\/html/);
      if (type === 'empty') expect(answer.text).toBe('');
    }
  });

  it('drop closes the connection without an answer, and leaves the code valid', async () => {
    const { code, openid } = await mintCode();
    await control('POST', 'faults', { path: loginPath, type: 'drop' });
    await expect(fetch(`${emulator.url}${sessionPath(code)}`)).rejects.toThrow();
    expect((await exchange(code)).openid).toBe(openid);
  });

  it('delay answers normally after the pause, and spends the code', async () => {
    const { code, openid } = await mintCode();
    await control('POST', 'faults', { path: loginPath, type: 'delay', delayMs: 300 });
    const started = Date.now();
    expect((await exchange(code)).openid).toBe(openid);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expectError(await exchange(code), 40163, 'code been used');
  });

  it('applies faults in order, each for its number of calls, and only on its path', async () => {
    await control('POST', 'faults', { path: loginPath, type: 'errcode', errcode: -1, times: 2 });
    await control('POST', 'faults', { path: loginPath, type: 'errcode', errcode: 45011 });
    expect((await fetchToken()).length).toBe(136);
    const errcodes: Array<number | undefined> = [];
    for (let i = 0; i < 4; i += 1) errcodes.push((await exchange('unknown')).errcode);
    expect(errcodes).toEqual([-1, -1, 45011, 40029]);
  });

  it('always (or times 0) lasts until the faults are cleared', async () => {
    await control('POST', 'faults', {
      path: loginPath,
      type: 'errcode',
      errcode: 40226,
      always: true,
    });
    await control('POST', 'faults', { path: '/cgi-bin/stable_token', type: 'http500', times: 0 });
    for (let i = 0; i < 5; i += 1) expect((await exchange('unknown')).errcode).toBe(40226);
    expect((await send(emulator, 'POST', '/cgi-bin/stable_token', {})).status).toBe(500);
    expect(await control('DELETE', 'faults')).toEqual({ ok: true });
    expect((await exchange('unknown')).errcode).toBe(40029);
    expect((await fetchToken()).length).toBe(136);
  });
});

describe('stats and reset', () => {
  it('counts calls per path, tokens issued and users, overall and per app', async () => {
    const minted = await mintCode();
    await mintCode({ appId: OTHER_APP_ID });
    await exchange(minted.code);
    await exchange(minted.code);
    const token = await fetchToken();
    await fetchToken(OTHER_APP_ID, OTHER_APP_SECRET);
    await sessionCall('checksession', {
      token,
      openid: minted.openid,
      signature: signature(minted.sessionKey),
    });

    const stats = await control<Stats>('GET', 'stats');
    expect(stats).toEqual({
      calls: { '/sns/jscode2session': 2, '/cgi-bin/stable_token': 2, '/wxa/checksession': 1 },
      stableTokensIssued: 2,
      currentStableToken: token,
      users: 2,
      apps: {
        [DEV_APP_ID]: { stableTokensIssued: 1, currentStableToken: token, users: 1 },
        [OTHER_APP_ID]: { stableTokensIssued: 1, currentStableToken: anyString, users: 1 },
      },
    });
    const other = await control<Stats>('GET', `stats?appId=${OTHER_APP_ID}`);
    expect(other.currentStableToken).toBe(stats.apps[OTHER_APP_ID]?.currentStableToken);
    expect(other.users).toBe(1);
    expect((await send(emulator, 'GET', '/__emulator/stats?appId=wxnope')).status).toBe(400);
  });

  it('reset clears users, codes, tokens, faults, stats and the clock', async () => {
    const minted = await mintCode();
    const token = await fetchToken();
    await control('POST', 'faults', { path: '/sns/jscode2session', type: 'http500', always: true });
    await advanceClock(60);
    expect(await control('POST', 'reset')).toEqual({ ok: true });

    expect(await control<Stats>('GET', 'stats')).toEqual({
      calls: {},
      stableTokensIssued: 0,
      currentStableToken: null,
      users: 0,
      apps: {
        [DEV_APP_ID]: { stableTokensIssued: 0, currentStableToken: null, users: 0 },
        [OTHER_APP_ID]: { stableTokensIssued: 0, currentStableToken: null, users: 0 },
      },
    });
    expect((await exchange(minted.code)).errcode).toBe(40029);
    expect(
      (await sessionCall('checksession', { token, openid: minted.openid, signature: 'x' })).errcode,
    ).toBe(40001);
    const { now } = await control<{ now: number }>('POST', 'advance-clock', { seconds: 0 });
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(2);
  });
});
