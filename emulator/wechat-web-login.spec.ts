import {
  ALL_APP_TYPES,
  OA_APP_ID,
  OA_APP_SECRET,
  OPENID,
  OTHER_APP_ID,
  RID,
  WEB_APP_ID,
  advanceClock,
  anyString,
  control,
  exchange,
  expectError,
  fetchToken,
  matching,
  mintCode,
  mintOauthCode,
  oauthExchange,
  oauthPath,
  phone,
  send,
  startSpecEmulator,
  userInfo,
  userInfoPath,
  wechat,
} from './spec-support';
import { DEV_APP_ID, DEV_APP_SECRET, startWechatEmulator, type AppType } from './wechat-emulator';
import type { RunningEmulator } from './wechat-emulator';

const UNIONID = /^o[A-Za-z0-9_-]{27}$/;
const USER_TOKEN = /^[A-Za-z0-9_-]{89}$/;

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startSpecEmulator(ALL_APP_TYPES);
});

afterAll(() => emulator.close());

beforeEach(() => control('POST', 'reset'));

describe('POST /__emulator/oauth-code', () => {
  it('defaults to snsapi_userinfo on Official Accounts and snsapi_login, with a unionid, on websites', async () => {
    expect(await mintOauthCode({ appId: OA_APP_ID })).toEqual({
      code: matching(/^[A-Za-z0-9]{32}$/),
      openid: matching(OPENID),
      unionid: null,
      scope: 'snsapi_userinfo',
    });
    expect(await mintOauthCode({ appId: WEB_APP_ID })).toEqual({
      code: anyString,
      openid: matching(OPENID),
      unionid: matching(UNIONID),
      scope: 'snsapi_login',
    });
  });

  it('refuses mini-programs, scopes of the other app type, foreign snapshots and typos', async () => {
    for (const body of [
      {},
      { appId: DEV_APP_ID },
      { appId: OA_APP_ID, scope: 'snsapi_login' },
      { appId: OA_APP_ID, scope: 'snsapi_userinfo', snapshot: true },
      { appId: OA_APP_ID, scope: 'snsapi_everything' },
      { appId: OA_APP_ID, sessionKey: 'x' },
      { appId: WEB_APP_ID, scope: 'snsapi_base' },
      { appId: WEB_APP_ID, snapshot: true },
      { appId: WEB_APP_ID, unionid: null },
    ]) {
      const answer = await send(emulator, 'POST', '/__emulator/oauth-code', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
    }
  });

  it('refuses web apps on the mini-program control routes', async () => {
    for (const path of ['login-code', 'phone-code', 'encrypt']) {
      const answer = await send(emulator, 'POST', `/__emulator/${path}`, {
        appId: WEB_APP_ID,
        ...(path === 'encrypt' ? { openid: 'o', data: {} } : {}),
      });
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
    }
  });
});

describe('GET /sns/oauth2/access_token', () => {
  it('exchanges a code once for a user token, as text/plain JSON without errcode', async () => {
    const minted = await mintOauthCode({ appId: OA_APP_ID });
    const answer = await send(emulator, 'GET', oauthPath(OA_APP_ID, minted.code));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/plain');
    expect(JSON.parse(answer.text)).toEqual({
      access_token: matching(USER_TOKEN),
      expires_in: 7200,
      refresh_token: anyString,
      openid: minted.openid,
      scope: 'snsapi_userinfo',
    });
    const again = await oauthExchange(OA_APP_ID, minted.code);
    expectError(again, 40163, 'code been used');
    expect(again.errmsg).toMatch(RID);
  });

  it('reports the unionid of website users and of Official Account users that have one', async () => {
    const web = await mintOauthCode({ appId: WEB_APP_ID });
    expect(await oauthExchange(WEB_APP_ID, web.code)).toMatchObject({
      openid: web.openid,
      unionid: web.unionid,
      scope: 'snsapi_login',
    });
    const oa = await mintOauthCode({ appId: OA_APP_ID, unionid: 'oUnionOA', scope: 'snsapi_base' });
    expect(await oauthExchange(OA_APP_ID, oa.code)).toMatchObject({
      unionid: 'oUnionOA',
      scope: 'snsapi_base',
    });
  });

  it('marks snapshot users with is_snapshotuser 1 and scope snsapi_base', async () => {
    const minted = await mintOauthCode({ appId: OA_APP_ID, snapshot: true });
    expect(minted.scope).toBe('snsapi_base');
    const answer = await oauthExchange(OA_APP_ID, minted.code);
    expect(answer).toMatchObject({ is_snapshotuser: 1, scope: 'snsapi_base' });
    expect(
      (await oauthExchange(OA_APP_ID, (await mintOauthCode({ appId: OA_APP_ID })).code))
        .is_snapshotuser,
    ).toBeUndefined();
  });

  it('answers 40029 for unknown, expired and other-app codes', async () => {
    expectError(await oauthExchange(OA_APP_ID, 'nope'), 40029, 'invalid code');
    const web = await mintOauthCode({ appId: WEB_APP_ID });
    expectError(await oauthExchange(OA_APP_ID, web.code), 40029, 'invalid code');
    const { code: loginCode } = await mintCode();
    expectError(await oauthExchange(OA_APP_ID, loginCode), 40029, 'invalid code');
    const { code } = await mintOauthCode({ appId: OA_APP_ID });
    await advanceClock(301);
    expectError(await oauthExchange(OA_APP_ID, code), 40029, 'invalid code');
  });

  it('answers malformed and misconfigured calls with their errcodes, without spending the code', async () => {
    const { code, openid } = await mintOauthCode({ appId: OA_APP_ID });
    const cases: Array<[Record<string, string | null>, number, string]> = [
      [{ appid: null }, 41002, 'appid missing'],
      [{ secret: null }, 41004, 'appsecret missing'],
      [{ code: null }, 41008, 'missing code'],
      [{ appid: 'wx0000000000000000' }, 40013, 'invalid appid'],
      [{ appid: DEV_APP_ID, secret: DEV_APP_SECRET }, 40013, 'invalid appid'],
      [{ secret: OA_APP_SECRET.replace(/1/g, '3') }, 40125, 'invalid appsecret'],
      [{ grant_type: 'client_credential' }, 40002, 'invalid grant_type'],
    ];
    for (const [overrides, errcode, errmsg] of cases) {
      expectError(await oauthExchange(OA_APP_ID, code, overrides), errcode, errmsg);
    }
    expect((await oauthExchange(OA_APP_ID, code)).openid).toBe(openid);
  });

  it('obeys faults like every WeChat path: an errcode fault leaves the code valid', async () => {
    const { code, openid } = await mintOauthCode({ appId: WEB_APP_ID });
    await control('POST', 'faults', {
      path: '/sns/oauth2/access_token',
      type: 'errcode',
      errcode: -1,
    });
    const answer = await send(emulator, 'GET', oauthPath(WEB_APP_ID, code));
    expect(answer.contentType).toBe('text/plain');
    expectError(JSON.parse(answer.text) as { errcode: number; errmsg: string }, -1, 'system error');
    await control('POST', 'faults', { path: '/sns/oauth2/access_token', type: 'http500' });
    expect((await send(emulator, 'GET', oauthPath(WEB_APP_ID, code))).status).toBe(500);
    expect((await oauthExchange(WEB_APP_ID, code)).openid).toBe(openid);
  });
});

describe('GET /sns/userinfo', () => {
  async function webToken(
    body: Record<string, unknown>,
  ): Promise<{ token: string; openid: string }> {
    const minted = await mintOauthCode(body);
    const answer = await oauthExchange(String(body['appId']), minted.code);
    return { token: answer.access_token ?? '', openid: minted.openid };
  }

  it('answers the profile with sex 0, empty places, and the unionid when there is one', async () => {
    const { token, openid } = await webToken({
      appId: WEB_APP_ID,
      nickname: '小明😀',
      headimgurl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
    });
    const answer = await send(emulator, 'GET', userInfoPath(token, openid));
    expect(answer.contentType).toBe('text/plain');
    expect(JSON.parse(answer.text)).toEqual({
      openid,
      nickname: '小明😀',
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132',
      privilege: [],
      unionid: matching(UNIONID),
    });
    const oa = await webToken({ appId: OA_APP_ID });
    expect(await userInfo(oa.token, oa.openid)).toEqual({
      openid: oa.openid,
      nickname: anyString,
      sex: 0,
      province: '',
      city: '',
      country: '',
      headimgurl: matching(/^https:\/\/thirdwx\.qlogo\.cn\//),
      privilege: [],
    });
  });

  it('answers 48001 to a snsapi_base token', async () => {
    const { token, openid } = await webToken({ appId: OA_APP_ID, scope: 'snsapi_base' });
    expectError(await userInfo(token, openid), 48001, 'api unauthorized');
    const snapshot = await webToken({ appId: OA_APP_ID, snapshot: true });
    expectError(await userInfo(snapshot.token, snapshot.openid), 48001, 'api unauthorized');
  });

  it("answers 40003 for an openid that is not the token's", async () => {
    const { token, openid } = await webToken({ appId: OA_APP_ID });
    const other = await mintOauthCode({ appId: OA_APP_ID });
    expectError(await userInfo(token, other.openid), 40003, 'invalid openid');
    expectError(await userInfo(token, null), 40003, 'invalid openid');
    expect((await userInfo(token, openid)).openid).toBe(openid);
  });

  it('answers 41001, 40001 (unknown or an app token) and 42001 after two hours', async () => {
    const { token, openid } = await webToken({ appId: WEB_APP_ID });
    expectError(await userInfo(null, openid), 41001, 'access_token missing');
    expectError(await userInfo('86_unknown', openid), 40001, 'invalid credential');
    const appToken = await fetchToken(OA_APP_ID, OA_APP_SECRET);
    expectError(await userInfo(appToken, openid), 40001, 'invalid credential');
    // Nor is a user token an app's token.
    expectError(await phone(token, { code: 'x' }), 40001, 'invalid credential');
    await advanceClock(7199);
    expect((await userInfo(token, openid)).openid).toBe(openid);
    await advanceClock(1);
    expectError(await userInfo(token, openid), 42001, 'access_token expired');
  });

  it('obeys faults', async () => {
    const { token, openid } = await webToken({ appId: WEB_APP_ID });
    await control('POST', 'faults', { path: '/sns/userinfo', type: 'nonjson' });
    const faulted = await send(emulator, 'GET', userInfoPath(token, openid));
    expect(() => JSON.parse(faulted.text) as unknown).toThrow();
    expect((await userInfo(token, openid)).openid).toBe(openid);
  });
});

describe('one person across apps', () => {
  it('reports the unionid a code was minted with on every app, and finds the person by it', async () => {
    const mini = await mintCode({ unionid: 'oPersonA' });
    const oa = await mintOauthCode({ appId: OA_APP_ID, unionid: 'oPersonA' });
    const web = await mintOauthCode({ appId: WEB_APP_ID, unionid: 'oPersonA' });
    expect(new Set([mini.openid, oa.openid, web.openid]).size).toBe(3);
    expect((await exchange(mini.code)).unionid).toBe('oPersonA');
    expect((await oauthExchange(OA_APP_ID, oa.code)).unionid).toBe('oPersonA');
    expect((await oauthExchange(WEB_APP_ID, web.code)).unionid).toBe('oPersonA');

    // One person has one openid per app, so the unionid alone finds it again.
    expect((await mintCode({ unionid: 'oPersonA' })).openid).toBe(mini.openid);
    expect((await mintOauthCode({ appId: OA_APP_ID, unionid: 'oPersonA' })).openid).toBe(oa.openid);
    expect((await mintCode({ appId: OTHER_APP_ID, unionid: 'oPersonA' })).openid).not.toBe(
      mini.openid,
    );
  });

  it("reuses the user's unionid when a code is minted with the openid only", async () => {
    const first = await mintOauthCode({ appId: OA_APP_ID, unionid: 'oPersonB' });
    const again = await mintOauthCode({ appId: OA_APP_ID, openid: first.openid });
    expect(again.unionid).toBe('oPersonB');
    expect((await oauthExchange(OA_APP_ID, again.code)).unionid).toBe('oPersonB');
    const web = await mintOauthCode({ appId: WEB_APP_ID });
    expect((await mintOauthCode({ appId: WEB_APP_ID, openid: web.openid })).unionid).toBe(
      web.unionid,
    );
  });
});

describe('app types', () => {
  it('jscode2session refuses a web app id with 40013', async () => {
    const { code } = await mintCode();
    expectError(
      await exchange(code, { appid: OA_APP_ID, secret: OA_APP_SECRET }),
      40013,
      'invalid appid',
    );
    expect((await exchange(code)).errcode).toBeUndefined();
  });

  it('web apps get stable tokens, but not the mini-program APIs (48001)', async () => {
    const token = await fetchToken(OA_APP_ID, OA_APP_SECRET);
    const { code } = await control<{ code: string }>('POST', 'phone-code', {});
    expectError(await phone(token, { code }), 48001, 'api unauthorized');
  });

  it('refuses an unknown type in the options', async () => {
    await expect(
      startWechatEmulator({
        apps: [{ appId: 'wxa', appSecret: 's', type: 'mini' as AppType }],
      }),
    ).rejects.toThrow('type must be one of');
  });

  it('answers a wrong method with 43001 on the new paths too', async () => {
    expectError(await wechat('POST', oauthPath(OA_APP_ID, 'x'), {}), 43001, 'require GET method');
    expectError(await wechat('POST', userInfoPath('x', 'y'), {}), 43001, 'require GET method');
  });
});
