import {
  type MintedCode,
  OPENID,
  OTHER_APP_ID,
  OTHER_APP_SECRET,
  RID,
  SESSION_KEY,
  type Stats,
  VECTOR_KEY,
  VECTOR_SIGNATURE,
  type WechatAnswer,
  advanceClock,
  anyNumber,
  control,
  exchange,
  expectError,
  fetchToken,
  matching,
  mintCode,
  phone,
  send,
  sessionCall,
  sessionPath,
  signature,
  startSpecEmulator,
  wechat,
  withEmulator,
} from './spec-support';
import { DEV_APP_ID, type RunningEmulator } from './wechat-emulator';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startSpecEmulator();
});

afterAll(() => emulator.close());

beforeEach(() => control('POST', 'reset'));

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

    // WeChat checks the openid only when one is sent.
    const owned = await control<{ code: string }>('POST', 'phone-code', { openid: 'oOwner' });
    expect((await phone(token, { code: owned.code })).errcode).toBe(0);

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
