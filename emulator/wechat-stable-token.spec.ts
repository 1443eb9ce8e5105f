import {
  OTHER_APP_ID,
  OTHER_APP_SECRET,
  RID,
  type Stats,
  type WechatAnswer,
  advanceClock,
  anyString,
  control,
  expectError,
  expectToken,
  fetchToken,
  matching,
  mintCode,
  send,
  sessionCall,
  signature,
  stableToken,
  startSpecEmulator,
  wechat,
  withEmulator,
} from './spec-support';
import { DEV_APP_ID, DEV_APP_SECRET, type RunningEmulator } from './wechat-emulator';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startSpecEmulator();
});

afterAll(() => emulator.close());

beforeEach(() => control('POST', 'reset'));

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
