import { createDecipheriv } from 'node:crypto';
import {
  OTHER_APP_ID,
  OTHER_APP_SECRET,
  RID,
  type Stats,
  type WechatAnswer,
  advanceClock,
  anyNumber,
  anyString,
  control,
  exchange,
  expectError,
  fetchToken,
  matching,
  mintCode,
  send,
  sessionCall,
  sessionPath,
  signature,
  startSpecEmulator,
  wechat,
} from './spec-support';
import { DEV_APP_ID, startWechatEmulator, type RunningEmulator } from './wechat-emulator';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startSpecEmulator();
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
