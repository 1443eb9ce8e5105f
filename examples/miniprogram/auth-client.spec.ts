import type { LoginResponse, PhoneNumber, SessionInfo, WxUser } from './api-types';
import { AuthClient, TOKENS_STORAGE_KEY } from './auth-client';
import { ApiError, WxCallError } from './errors';
import { sessionIdOf } from './token-claims';
import { BASE_URL, FakeServer, FakeWx, error } from './testing/fake-wx';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AuthClient (mini-program sample)', () => {
  let server: FakeServer;
  let wx: FakeWx;
  let client: AuthClient;

  beforeEach(() => {
    server = new FakeServer();
    wx = new FakeWx(server);
    client = new AuthClient({ wx, baseUrl: `${BASE_URL}/` });
  });

  const stored = () => wx.storage.get(TOKENS_STORAGE_KEY) as LoginResponse | undefined;
  const me = () => client.request<WxUser>({ path: '/users/me' });

  describe('login', () => {
    it('sends the wx.login code and stores both tokens', async () => {
      const answer = await client.login();

      expect(wx.loginCalls).toBe(1);
      const [sent] = wx.sentTo('POST', '/auth/wechat/login');
      expect(sent.body).toEqual({ code: 'code-1' });
      expect(sent.authorization).toBeUndefined();
      expect(answer.isNewUser).toBe(true);
      expect(answer.user.id).toBe(1);
      expect(stored()).toEqual({
        accessToken: answer.accessToken,
        refreshToken: answer.refreshToken,
      });
    });

    it('surfaces a wx.login failure as a clear error and sends nothing', async () => {
      wx.loginFailures.push('login:fail timeout');

      const failure = client.login();

      await expect(failure).rejects.toThrow('wx.login failed: login:fail timeout');
      await expect(failure).rejects.toBeInstanceOf(WxCallError);
      expect(wx.sent).toHaveLength(0);
      expect(stored()).toBeUndefined();
    });

    it("surfaces the service's refusal with its code", async () => {
      server.script('POST', '/auth/wechat/login', error(401, 'WECHAT_CODE_INVALID'));

      await expect(client.login()).rejects.toMatchObject({
        name: 'ApiError',
        statusCode: 401,
        code: 'WECHAT_CODE_INVALID',
        requestId: 'req-1',
      });
      expect(stored()).toBeUndefined();
    });

    it('shares one login among requests made before there are tokens', async () => {
      const users = await Promise.all([me(), me(), me()]);

      expect(users.map((u) => u.id)).toEqual([1, 1, 1]);
      expect(wx.loginCalls).toBe(1);
      expect(wx.sentTo('POST', '/auth/wechat/login')).toHaveLength(1);
    });
  });

  describe('request', () => {
    it('sends the stored access token as a bearer token', async () => {
      const { accessToken } = await client.login();

      const user = await me();

      expect(user.openid).toBe(server.user.openid);
      expect(wx.sentTo('GET', '/users/me')[0].authorization).toBe(`Bearer ${accessToken}`);
    });

    it('refreshes once for five concurrent requests that hit TOKEN_EXPIRED, then retries each', async () => {
      const first = await client.login();
      server.expireAccessTokens();
      // The refusals arrive spread out: two while the refresh is under way, two after it ended.
      const spread = [0, 10, 20, 40, 50];
      server.latency = (r) => {
        if (r.path === '/auth/refresh') return 25;
        return r.authorization === `Bearer ${first.accessToken}` ? (spread.shift() ?? 0) : 1;
      };

      const users = await Promise.all([me(), me(), me(), me(), me()]);

      expect(users.map((u) => u.id)).toEqual([1, 1, 1, 1, 1]);
      const refreshes = wx.sentTo('POST', '/auth/refresh');
      expect(refreshes).toHaveLength(1);
      expect(refreshes[0].body).toEqual({ refreshToken: first.refreshToken });
      const renewed = stored()!;
      expect(renewed.accessToken).not.toBe(first.accessToken);
      const gets = wx.sentTo('GET', '/users/me');
      expect(gets).toHaveLength(10);
      expect(gets.slice(0, 5).map((g) => g.answer)).toEqual(
        Array(5).fill(error(401, 'TOKEN_EXPIRED')),
      );
      expect(gets.slice(5).map((g) => g.authorization)).toEqual(
        Array(5).fill(`Bearer ${renewed.accessToken}`),
      );
      expect(wx.loginCalls).toBe(1);
    });

    it('logs in again when the refresh token was already used elsewhere (REFRESH_TOKEN_REUSED)', async () => {
      const first = await client.login();
      // A copy of the refresh token is spent elsewhere: the client's own copy is now a reused one.
      server.handle({
        method: 'POST',
        path: '/auth/refresh',
        body: { refreshToken: first.refreshToken },
        authorization: undefined,
      });
      server.expireAccessTokens();

      const user = await me();

      expect(user.id).toBe(1);
      expect(wx.sentTo('POST', '/auth/refresh').map((r) => r.answer)).toEqual([
        error(401, 'REFRESH_TOKEN_REUSED'),
      ]);
      expect(wx.loginCalls).toBe(2);
      const relogin = wx.sentTo('POST', '/auth/wechat/login')[1];
      expect(relogin.body).toEqual({ code: 'code-2' });
      const gets = wx.sentTo('GET', '/users/me');
      expect(gets).toHaveLength(2);
      expect(gets[1].authorization).toBe(`Bearer ${stored()!.accessToken}`);
    });

    it('logs in again with a fresh wx.login code when the session was revoked', async () => {
      const first = await client.login();
      server.revokeSessions();

      const user = await me();

      expect(user.id).toBe(1);
      expect(wx.loginCalls).toBe(2);
      expect(wx.sentTo('POST', '/auth/refresh')).toHaveLength(0);
      expect(wx.sentTo('POST', '/auth/wechat/login').map((r) => r.body)).toEqual([
        { code: 'code-1' },
        { code: 'code-2' },
      ]);
      expect(stored()!.accessToken).not.toBe(first.accessToken);
    });

    it('gives up after one failed re-login instead of looping', async () => {
      await client.login();
      server.revokeSessions();
      server.script('POST', '/auth/wechat/login', error(503, 'DATABASE_UNAVAILABLE'));

      await expect(me()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      await sleep(30);

      expect(wx.loginCalls).toBe(2);
      expect(wx.sent.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /auth/wechat/login',
        'GET /users/me',
        'POST /auth/wechat/login',
      ]);
      expect(stored()).toBeUndefined();
    });

    it('gives up when wx.login itself fails during the re-login', async () => {
      await client.login();
      server.revokeSessions();
      wx.loginFailures.push('login:fail network error');

      await expect(me()).rejects.toThrow('wx.login failed: login:fail network error');
      await sleep(30);

      expect(wx.loginCalls).toBe(2);
      expect(wx.sent).toHaveLength(2);
    });

    it('retries only once when the retry is refused again', async () => {
      await client.login();
      server.script('GET', '/users/me', error(401, 'SESSION_REVOKED'));
      server.script('GET', '/users/me', error(401, 'SESSION_REVOKED'));

      await expect(me()).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
      await sleep(30);

      expect(wx.loginCalls).toBe(2);
      expect(wx.sentTo('GET', '/users/me')).toHaveLength(2);
    });

    it('keeps the tokens and surfaces the error when the refresh fails for another reason', async () => {
      const first = await client.login();
      server.expireAccessTokens();
      server.script('POST', '/auth/refresh', { fail: 'request:fail timeout' });

      const failure = me();

      await expect(failure).rejects.toBeInstanceOf(WxCallError);
      await expect(failure).rejects.toThrow('wx.request failed: request:fail timeout');
      expect(wx.loginCalls).toBe(1);
      expect(stored()).toEqual({
        accessToken: first.accessToken,
        refreshToken: first.refreshToken,
      });
    });

    it('passes other errors through without retrying', async () => {
      await client.login();
      server.script('GET', '/users/me', error(403, 'USER_DISABLED'));

      const failure = me();

      await expect(failure).rejects.toBeInstanceOf(ApiError);
      await expect(failure).rejects.toMatchObject({ statusCode: 403, code: 'USER_DISABLED' });
      expect(wx.sentTo('GET', '/users/me')).toHaveLength(1);
    });

    it('reports an answer without the error shape as UNEXPECTED_RESPONSE', async () => {
      await client.login();
      server.script('GET', '/users/me', { status: 502, body: '<html>Bad Gateway</html>' });

      await expect(me()).rejects.toMatchObject({ statusCode: 502, code: 'UNEXPECTED_RESPONSE' });
    });
  });

  describe('bindPhone', () => {
    it('sends the code from the getPhoneNumber button', async () => {
      const { accessToken } = await client.login();

      const result = await client.bindPhone({
        detail: { errMsg: 'getPhoneNumber:ok', code: 'phone-code-1' },
      });

      const phone: PhoneNumber = {
        phoneNumber: '+8613800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
      };
      expect(result).toEqual({ bound: true, phone });
      const [sent] = wx.sentTo('POST', '/users/me/phone');
      expect(sent.body).toEqual({ code: 'phone-code-1' });
      expect(sent.authorization).toBe(`Bearer ${accessToken}`);
    });

    it('reports a refusal without calling the service', async () => {
      const result = await client.bindPhone({
        detail: { errMsg: 'getPhoneNumber:fail user deny' },
      });

      expect(result).toEqual({ bound: false, errMsg: 'getPhoneNumber:fail user deny' });
      expect(wx.sent).toHaveLength(0);
      expect(wx.loginCalls).toBe(0);
    });
  });

  describe('updateProfile', () => {
    it('sends the nickname and the uploaded avatar URL with PATCH /users/me', async () => {
      await client.login();

      const user = await client.updateProfile({
        nickname: '小明😀',
        avatarUrl: 'https://cdn.example.com/avatars/1.png',
      });

      expect(user).toMatchObject({
        nickname: '小明😀',
        avatarUrl: 'https://cdn.example.com/avatars/1.png',
      });
      expect(wx.sentTo('PATCH', '/users/me')[0].body).toEqual({
        nickname: '小明😀',
        avatarUrl: 'https://cdn.example.com/avatars/1.png',
      });
    });

    it.each(['wxfile://tmp_a1b2c3.jpg', 'http://tmp/a1b2c3.jpeg'])(
      'refuses the temporary file %s that chooseAvatar hands out',
      async (avatarUrl) => {
        await client.login();

        await expect(client.updateProfile({ avatarUrl })).rejects.toThrow(
          'avatarUrl is a temporary local file',
        );
        expect(wx.sentTo('PATCH', '/users/me')).toHaveLength(0);
      },
    );
  });

  describe('logout', () => {
    it('revokes the session on the server, then clears the stored tokens', async () => {
      const { accessToken } = await client.login();

      await client.logout();

      const [sent] = wx.sentTo('POST', '/auth/logout');
      expect(sent.authorization).toBe(`Bearer ${accessToken}`);
      expect(sent.answer).toEqual({ status: 204, body: '' });
      expect(stored()).toBeUndefined();
      const after = server.handle({
        method: 'GET',
        path: '/users/me',
        body: undefined,
        authorization: `Bearer ${accessToken}`,
      });
      expect(after).toEqual(error(401, 'SESSION_REVOKED'));
    });

    it('rotates an expired access token once so the session is still revoked', async () => {
      await client.login();
      server.expireAccessTokens();

      await client.logout();

      const logouts = wx.sentTo('POST', '/auth/logout');
      expect(logouts.map((r) => r.answer)).toEqual([
        error(401, 'TOKEN_EXPIRED'),
        { status: 204, body: '' },
      ]);
      expect(wx.sentTo('POST', '/auth/refresh')).toHaveLength(1);
      expect(stored()).toBeUndefined();
      expect(wx.loginCalls).toBe(1);
    });

    it('treats an already revoked session as logged out', async () => {
      await client.login();
      server.revokeSessions();

      await expect(client.logout()).resolves.toBeUndefined();
      expect(stored()).toBeUndefined();
      expect(wx.loginCalls).toBe(1);
    });

    it('clears the tokens even when the service cannot be reached, and says so', async () => {
      await client.login();
      server.script('POST', '/auth/logout', { fail: 'request:fail timeout' });

      await expect(client.logout()).rejects.toBeInstanceOf(WxCallError);
      expect(stored()).toBeUndefined();
    });

    it('does nothing when nobody is logged in', async () => {
      await client.logout();

      expect(wx.sent).toHaveLength(0);
    });
  });

  describe('sessions', () => {
    it('lists the live sessions newest first and marks this one', async () => {
      const { accessToken } = await client.login();
      const other = server.addSession({ ip: '198.51.100.7', userAgent: null });

      const sessions = await client.sessions();

      const own = sessionIdOf(accessToken);
      expect(sessions.map((s) => [s.id, s.current])).toEqual([
        [other, false],
        [own, true],
      ]);
      expect(sessions[0]).toMatchObject<Partial<SessionInfo>>({
        ip: '198.51.100.7',
        userAgent: null,
        refreshedAt: null,
      });
      expect(wx.sentTo('GET', '/users/me/sessions')[0].authorization).toBe(`Bearer ${accessToken}`);
    });

    it("revokes another device's session and keeps this one's tokens", async () => {
      const first = await client.login();
      const other = server.addSession();

      await client.revokeSession(other);

      const [sent] = wx.sentTo('DELETE', `/users/me/sessions/${other}`);
      expect(sent.answer).toEqual({ status: 204, body: '' });
      expect(server.liveSessionIds()).toEqual([sessionIdOf(first.accessToken)]);
      expect(stored()).toEqual({
        accessToken: first.accessToken,
        refreshToken: first.refreshToken,
      });
    });

    it('forgets the tokens when the revoked session is its own, and does not log in again', async () => {
      const { accessToken } = await client.login();
      const own = sessionIdOf(accessToken)!;

      await client.revokeSession(own);

      expect(wx.sentTo('DELETE', `/users/me/sessions/${own}`)[0].answer).toEqual({
        status: 204,
        body: '',
      });
      expect(stored()).toBeUndefined();
      expect(server.liveSessionIds()).toEqual([]);
      expect(wx.loginCalls).toBe(1);
    });

    it('keeps the tokens when the revoke fails', async () => {
      const first = await client.login();
      const own = sessionIdOf(first.accessToken)!;
      server.script('DELETE', `/users/me/sessions/${own}`, { fail: 'request:fail timeout' });

      await expect(client.revokeSession(own)).rejects.toBeInstanceOf(WxCallError);
      expect(stored()).toEqual({
        accessToken: first.accessToken,
        refreshToken: first.refreshToken,
      });
    });

    it('surfaces NOT_FOUND for a session that is already gone', async () => {
      await client.login();
      const other = server.addSession();
      server.handle({
        method: 'DELETE',
        path: `/users/me/sessions/${other}`,
        body: undefined,
        authorization: `Bearer ${stored()!.accessToken}`,
      });

      await expect(client.revokeSession(other)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(stored()).toBeDefined();
    });

    it('logs out every other session and answers how many', async () => {
      const first = await client.login();
      server.addSession();
      server.addSession({ appId: 'wxfake0000000002' });

      const revoked = await client.revokeOtherSessions();

      expect(revoked).toBe(2);
      expect(wx.sentTo('DELETE', '/users/me/sessions')).toHaveLength(1);
      expect(server.liveSessionIds()).toEqual([sessionIdOf(first.accessToken)]);
      expect(stored()).toEqual({
        accessToken: first.accessToken,
        refreshToken: first.refreshToken,
      });
    });
  });

  describe('exportData', () => {
    it('answers what GET /users/me/export answers', async () => {
      await client.login();

      const data = await client.exportData();

      expect(data.account).toMatchObject({ id: 1, openid: server.user.openid });
      expect(data.identities).toEqual(server.user.identities);
      expect(data.sessions.map((s) => s.id)).toEqual(server.liveSessionIds());
      expect(data.logins).toEqual([]);
      expect(wx.sentTo('GET', '/users/me/export')).toHaveLength(1);
    });
  });

  describe('deleteAccount', () => {
    it('sends DELETE /users/me, then forgets the tokens', async () => {
      const { accessToken } = await client.login();

      await client.deleteAccount();

      const [sent] = wx.sentTo('DELETE', '/users/me');
      expect(sent.authorization).toBe(`Bearer ${accessToken}`);
      expect(sent.answer).toEqual({ status: 204, body: '' });
      expect(server.accountDeleted).toBe(true);
      expect(stored()).toBeUndefined();
      expect(wx.loginCalls).toBe(1);
    });

    it.each<[string, Parameters<FakeServer['script']>[2], string]>([
      ['no network', { fail: 'request:fail timeout' }, 'WxCallError'],
      ['RATE_LIMITED', error(429, 'RATE_LIMITED'), 'ApiError'],
      ['DATABASE_UNAVAILABLE', error(503, 'DATABASE_UNAVAILABLE'), 'ApiError'],
    ])('keeps the tokens when the deletion fails (%s)', async (_case, answer, name) => {
      const first = await client.login();
      server.script('DELETE', '/users/me', answer);

      await expect(client.deleteAccount()).rejects.toMatchObject({ name });
      expect(server.accountDeleted).toBe(false);
      expect(stored()).toEqual({
        accessToken: first.accessToken,
        refreshToken: first.refreshToken,
      });
    });
  });
});
