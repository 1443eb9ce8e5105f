import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { call } from './support/http';
import { useTestStack } from './support/stack';
import { addContentRule, injectFault, mintLoginCode, mintOauthCode } from './support/wechat';

/*
 * One person across WeChat apps (docs/api.md Part 2): the linking rule under concurrency,
 * web login, linking and unlinking identities, phone binding and the nickname content check.
 */

const SECRET = (n: number) => `${String(n).repeat(32)}`.slice(0, 32);
const MINI_2 = 'wx00000000000000b2';
const OFFICIAL = 'wx00000000000000c3';
const WEBSITE = 'wx00000000000000d4';
const APPS = [
  { appId: MINI_2, secret: SECRET(2), type: 'miniprogram' as const },
  { appId: OFFICIAL, secret: SECRET(3), type: 'official_account' as const },
  { appId: WEBSITE, secret: SECRET(4), type: 'website' as const },
];

const stack = useTestStack(
  { WECHAT_APPS: JSON.stringify(APPS), CONTENT_CHECK: 'on' },
  {
    apps: [
      { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
      ...APPS.map((app) => ({ appId: app.appId, appSecret: app.secret, type: app.type })),
    ],
  },
);

let unique = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(unique++).toString(36)}`;

const miniLogin = async (options: { appId?: string; openid?: string; unionid?: string } = {}) => {
  const minted = await mintLoginCode(stack.emulator.url, options);
  const body = options.appId ? { code: minted.code, appId: options.appId } : { code: minted.code };
  return call(`${stack.service.url}/auth/wechat/login`, { body });
};
const webLogin = async (options: Parameters<typeof mintOauthCode>[1]) => {
  const minted = await mintOauthCode(stack.emulator.url, options);
  return call(`${stack.service.url}/auth/wechat/oauth`, {
    body: { appId: options.appId, code: minted.code },
  });
};
const me = (token: string) => call(`${stack.service.url}/users/me`, { token });
const appIds = (list: unknown): string[] => (list as Array<{ appId: string }>).map((i) => i.appId);
const count = async (sql: string, params: unknown[] = []) =>
  (await stack.db.query<{ n: number }>(sql, params))[0].n;

describe('linking rule', () => {
  it('gives 50 concurrent first logins of one person over 3 apps one account and one isNewUser', async () => {
    const unionid = nextId('u-race-');
    const apps = [undefined, MINI_2, OFFICIAL];
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const appId = apps[i % 3];
        return appId === OFFICIAL
          ? webLogin({ appId, unionid, scope: 'snsapi_base' })
          : miniLogin({ appId, unionid });
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.filter((a) => a.body.isNewUser === true)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.user.id)).size).toBe(1);
    const accountId = answers[0].body.user.id;
    expect(await count('SELECT COUNT(*) AS n FROM wx_user WHERE unionid = ?', [unionid])).toBe(3);
    expect(await count('SELECT COUNT(*) AS n FROM wx_user WHERE account_id = ?', [accountId])).toBe(
      3,
    );
    expect(await count('SELECT login_count AS n FROM account WHERE id = ?', [accountId])).toBe(50);
    const view = await me(answers[0].body.accessToken);
    expect(view.body.loginCount).toBe(50);
    expect(appIds(view.body.identities).sort()).toEqual([DEV_APP_ID, MINI_2, OFFICIAL].sort());
  });

  it('keeps an identity in its account and answers the session identity in the user object', async () => {
    const unionid = nextId('u-view-');
    const first = await miniLogin({ unionid });
    const second = await miniLogin({ appId: MINI_2, unionid });
    expect(second.body.isNewUser).toBe(false);
    expect(second.body.user).toMatchObject({ id: first.body.user.id, appId: MINI_2, unionid });
    expect(second.body.user.identities).toEqual([
      expect.objectContaining({ appId: DEV_APP_ID, type: 'miniprogram', unionid }),
      expect.objectContaining({ appId: MINI_2, type: 'miniprogram', unionid }),
    ]);
    const logins = await call(`${stack.service.url}/users/me/logins`, {
      token: second.body.accessToken,
    });
    expect(appIds(logins.body)).toEqual([MINI_2, DEV_APP_ID]);
  });

  it('refuses an app id that is not a configured mini-program, writing nothing', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM wx_user');
    for (const appId of [OFFICIAL, 'wx0000000000000fff']) {
      const minted = await mintLoginCode(stack.emulator.url);
      const answer = await call(`${stack.service.url}/auth/wechat/login`, {
        body: { code: minted.code, appId },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
    }
    const web = await call(`${stack.service.url}/auth/wechat/oauth`, {
      body: { appId: DEV_APP_ID, code: 'abc' },
    });
    expect(web.body.code).toBe('VALIDATION_FAILED');
    expect(await count('SELECT COUNT(*) AS n FROM wx_user')).toBe(before);
  });

  it('refuses a disabled account before writing, and a refused refresh does not spend the token', async () => {
    const unionid = nextId('u-off-');
    const first = await miniLogin({ unionid });
    await stack.db.query("UPDATE account SET status = 'disabled' WHERE id = ?", [
      first.body.user.id,
    ]);
    const before = await count('SELECT COUNT(*) AS n FROM login_log');
    const joined = await miniLogin({ appId: MINI_2, unionid });
    expect(joined.body.code).toBe('USER_DISABLED');
    const again = await miniLogin({ openid: first.body.user.openid });
    expect(again.body.code).toBe('USER_DISABLED');
    expect(await count('SELECT COUNT(*) AS n FROM login_log')).toBe(before);
    const refresh = () =>
      call(`${stack.service.url}/auth/refresh`, {
        body: { refreshToken: first.body.refreshToken },
      });
    expect((await refresh()).body.code).toBe('USER_DISABLED');
    await stack.db.query("UPDATE account SET status = 'active' WHERE id = ?", [first.body.user.id]);
    expect((await refresh()).status).toBe(200);
  });
});

describe('POST /auth/wechat/oauth', () => {
  it('logs in an Official Account user and fills only the empty profile fields', async () => {
    const openid = nextId('o-oa-');
    const created = await webLogin({
      appId: OFFICIAL,
      openid,
      scope: 'snsapi_userinfo',
      nickname: '网页用户',
      headimgurl: 'https://thirdwx.qlogo.cn/web.png',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ isNewUser: true });
    expect(created.body.user).toMatchObject({
      appId: OFFICIAL,
      openid,
      nickname: '网页用户',
      avatarUrl: 'https://thirdwx.qlogo.cn/web.png',
    });
    const patched = await call(`${stack.service.url}/users/me`, {
      method: 'PATCH',
      token: created.body.accessToken,
      body: { nickname: 'chosen' },
    });
    expect(patched.body.nickname).toBe('chosen');
    const again = await webLogin({
      appId: OFFICIAL,
      openid,
      scope: 'snsapi_userinfo',
      nickname: 'other',
    });
    expect(again.body.user).toMatchObject({ nickname: 'chosen', loginCount: 2 });
  });

  it('links a website QR login to the mini-program account by unionid', async () => {
    const unionid = nextId('u-web-');
    const mini = await miniLogin({ unionid });
    const web = await webLogin({ appId: WEBSITE, unionid });
    expect(web.status).toBe(200);
    expect(web.body.isNewUser).toBe(false);
    expect(web.body.user).toMatchObject({ id: mini.body.user.id, appId: WEBSITE });
  });

  it('refuses the snapshot page user and writes nothing', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM wx_user');
    const answer = await webLogin({ appId: OFFICIAL, snapshot: true });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('WECHAT_SNAPSHOT_USER');
    expect(await count('SELECT COUNT(*) AS n FROM wx_user')).toBe(before);
  });

  it('maps an invalid or used web code as the mini-program login does', async () => {
    const minted = await mintOauthCode(stack.emulator.url, { appId: OFFICIAL });
    const post = () =>
      call(`${stack.service.url}/auth/wechat/oauth`, {
        body: { appId: OFFICIAL, code: minted.code },
      });
    expect((await post()).status).toBe(200);
    const used = await post();
    expect(used.status).toBe(401);
    expect(used.body.code).toBe('WECHAT_CODE_INVALID');
    const unknown = await call(`${stack.service.url}/auth/wechat/oauth`, {
      body: { appId: OFFICIAL, code: 'never-issued' },
    });
    expect(unknown.body.code).toBe('WECHAT_CODE_INVALID');
  });

  it('gives a web session no session key to decrypt with', async () => {
    const web = await webLogin({ appId: OFFICIAL });
    const answer = await call(`${stack.service.url}/wechat/decrypt`, {
      token: web.body.accessToken,
      body: { encryptedData: 'AAAAAAAAAAAAAAAAAAAAAA==', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' },
    });
    expect(answer.body.code).toBe('WECHAT_DECRYPT_FAILED');
  });
});

describe('POST and DELETE /users/me/identities', () => {
  const link = (token: string, appId: string, code: string) =>
    call(`${stack.service.url}/users/me/identities`, { token, body: { appId, code } });

  it('links a new identity, answers unchanged for its own, and refuses a second of one app', async () => {
    const owner = await miniLogin();
    const token = owner.body.accessToken;
    const web = await mintOauthCode(stack.emulator.url, { appId: OFFICIAL });
    const linked = await link(token, OFFICIAL, web.code);
    expect(linked.status).toBe(200);
    expect(appIds(linked.body.identities)).toEqual([DEV_APP_ID, OFFICIAL]);
    const same = await mintOauthCode(stack.emulator.url, { appId: OFFICIAL, openid: web.openid });
    expect((await link(token, OFFICIAL, same.code)).status).toBe(200);
    const other = await mintOauthCode(stack.emulator.url, { appId: OFFICIAL });
    const refused = await link(token, OFFICIAL, other.code);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('IDENTITY_TAKEN');
  });

  it("moves a lone identity here, deletes its old account and ends that account's sessions", async () => {
    const owner = await miniLogin();
    const loner = await webLogin({ appId: WEBSITE, unionid: nextId('u-lone-') });
    const code = await mintOauthCode(stack.emulator.url, {
      appId: WEBSITE,
      openid: loner.body.user.openid,
      unionid: loner.body.user.unionid,
    });
    const linked = await link(owner.body.accessToken, WEBSITE, code.code);
    expect(linked.status).toBe(200);
    expect(
      await count('SELECT COUNT(*) AS n FROM account WHERE id = ?', [loner.body.user.id]),
    ).toBe(0);
    expect((await me(loner.body.accessToken)).body.code).toBe('SESSION_REVOKED');
  });

  it('refuses an identity whose account has other identities', async () => {
    const unionid = nextId('u-two-');
    await miniLogin({ unionid });
    const second = await miniLogin({ appId: MINI_2, unionid });
    const stranger = await miniLogin();
    const code = await mintLoginCode(stack.emulator.url, {
      appId: MINI_2,
      openid: second.body.user.openid,
    });
    const refused = await link(stranger.body.accessToken, MINI_2, code.code);
    expect(refused.body.code).toBe('IDENTITY_TAKEN');
  });

  it('unlinks another identity into an account of its own that unionid linking never pulls back', async () => {
    const unionid = nextId('u-unlink-');
    const mini = await miniLogin({ unionid });
    const web = await webLogin({ appId: OFFICIAL, unionid });
    const remove = (token: string, appId: string) =>
      call(`${stack.service.url}/users/me/identities/${appId}`, { method: 'DELETE', token });

    expect((await remove(mini.body.accessToken, DEV_APP_ID)).body.code).toBe('IDENTITY_IN_USE');
    expect((await remove(mini.body.accessToken, WEBSITE)).body.code).toBe('NOT_FOUND');
    expect((await remove(mini.body.accessToken, 'not-an-app')).body.code).toBe('VALIDATION_FAILED');
    expect((await remove(mini.body.accessToken, OFFICIAL)).status).toBe(204);
    expect((await me(web.body.accessToken)).body.code).toBe('SESSION_REVOKED');
    expect((await me(mini.body.accessToken)).body.identities).toHaveLength(1);

    const back = await webLogin({ appId: OFFICIAL, unionid, scope: 'snsapi_base' });
    expect(back.body.user.id).not.toBe(mini.body.user.id);
    expect(back.body.isNewUser).toBe(false);
    expect(back.body.user).toMatchObject({ nickname: null, loginCount: 1, status: 'active' });
  });
});

describe('POST /users/me/phone', () => {
  const phoneCode = async (openid: string, phoneNumber: string) =>
    (
      await call(`${stack.emulator.url}/__emulator/phone-code`, {
        body: { openid, phoneNumber },
      })
    ).body.code as string;
  const bind = (token: string, code: string) =>
    call(`${stack.service.url}/users/me/phone`, { token, body: { code } });

  it('gives one number to one account even when two bind it at once', async () => {
    const number = `139${String(Date.now()).slice(-8)}`;
    const [a, b] = await Promise.all([miniLogin(), miniLogin()]);
    const answers = await Promise.all([
      bind(a.body.accessToken, await phoneCode(a.body.user.openid, number)),
      bind(b.body.accessToken, await phoneCode(b.body.user.openid, number)),
    ]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
    expect(answers.find((x) => x.status === 409)?.body.code).toBe('PHONE_TAKEN');
    const winner = answers[0].status === 200 ? a : b;
    expect(
      (await bind(winner.body.accessToken, await phoneCode(winner.body.user.openid, number)))
        .status,
    ).toBe(200);
  });

  it("sends the session identity's openid, so another user's code is refused", async () => {
    const [a, b] = await Promise.all([miniLogin(), miniLogin()]);
    const answer = await bind(
      a.body.accessToken,
      await phoneCode(b.body.user.openid, '13100000000'),
    );
    expect(answer.body.code).toBe('WECHAT_CODE_INVALID');
  });

  it('refuses a web session', async () => {
    const web = await webLogin({ appId: OFFICIAL });
    const answer = await bind(web.body.accessToken, 'any-code');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('nickname content check (CONTENT_CHECK=on)', () => {
  const patch = (token: string, nickname: string) =>
    call(`${stack.service.url}/users/me`, { method: 'PATCH', token, body: { nickname } });

  it('refuses a risky nickname, saves one under review, and never saves one unchecked', async () => {
    await addContentRule(stack.emulator.url, { contains: 'badword', suggest: 'risky' });
    await addContentRule(stack.emulator.url, { contains: 'maybe', suggest: 'review' });
    const user = await miniLogin();
    const token = user.body.accessToken;
    expect((await patch(token, 'fine name')).body.nickname).toBe('fine name');
    const risky = await patch(token, 'a badword here');
    expect(risky.status).toBe(400);
    expect(risky.body.code).toBe('CONTENT_REJECTED');
    expect((await patch(token, 'maybe ok')).body.nickname).toBe('maybe ok');
    await injectFault(stack.emulator.url, {
      path: '/wxa/msg_sec_check',
      type: 'errcode',
      errcode: -1,
      times: 2,
    });
    const busy = await patch(token, 'while busy');
    expect(busy.status).toBe(503);
    expect(busy.body.code).toBe('WECHAT_UNAVAILABLE');
    expect((await me(token)).body.nickname).toBe('maybe ok');
  });

  it('does not check web sessions (WeChat offers the check to mini-programs only)', async () => {
    await addContentRule(stack.emulator.url, { contains: 'webword', suggest: 'risky' });
    const web = await webLogin({ appId: OFFICIAL });
    expect((await patch(web.body.accessToken, 'webword')).body.nickname).toBe('webword');
  });
});
