import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { call } from './support/http';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

/* docs/api.md Part 2, "Sessions": the caller's devices, and logging them out. */

const MINI_2 = 'wx00000000000000b2';
const SECRET_2 = '2'.repeat(32);
const stack = useTestStack(
  {
    TRUST_PROXY: 'true',
    WECHAT_APPS: JSON.stringify([{ appId: MINI_2, secret: SECRET_2, type: 'miniprogram' }]),
  },
  {
    apps: [
      { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
      { appId: MINI_2, appSecret: SECRET_2 },
    ],
  },
);

let unique = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(unique++).toString(36)}`;

interface LoggedIn {
  accessToken: string;
  refreshToken: string;
  user: { id: number; openid: string };
}

const login = async (
  options: { appId?: string; openid?: string; unionid?: string; ip?: string; ua?: string } = {},
): Promise<LoggedIn> => {
  const { ip, ua, ...mint } = options;
  const minted = await mintLoginCode(stack.emulator.url, mint);
  const headers: Record<string, string> = {};
  if (ip) headers['x-forwarded-for'] = ip;
  if (ua) headers['user-agent'] = ua;
  const answer = await call(`${stack.service.url}/auth/wechat/login`, {
    body: options.appId ? { code: minted.code, appId: options.appId } : { code: minted.code },
    headers,
  });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.text}`);
  return answer.body;
};
const sidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
const pluck = (list: unknown, key: string) =>
  (list as Array<Record<string, unknown>>).map((entry) => entry[key]);
const sessions = (token: string) => call(`${stack.service.url}/users/me/sessions`, { token });
const revoke = (token: string, id: string) =>
  call(`${stack.service.url}/users/me/sessions/${id}`, { method: 'DELETE', token });
const revokeOthers = (token: string) =>
  call(`${stack.service.url}/users/me/sessions`, { method: 'DELETE', token });
const me = (token: string) => call(`${stack.service.url}/users/me`, { token });

describe('GET /users/me/sessions', () => {
  it("lists the account's live sessions of every identity, newest first, with ip, user agent and refreshedAt", async () => {
    const unionid = nextId('u-list-');
    const first = await login({ unionid, ip: '198.51.100.11', ua: 'Phone/1.0' });
    const second = await login({ unionid, appId: MINI_2, ip: '198.51.100.12', ua: 'Pad/2.0' });
    const third = await login({ openid: first.user.openid, ip: '198.51.100.13' });
    const ended = await login({ openid: first.user.openid });
    await call(`${stack.service.url}/auth/logout`, { method: 'POST', token: ended.accessToken });
    const expired = await login({ openid: first.user.openid });
    await stack.db.query('UPDATE auth_session SET expires_at = ? WHERE id = ?', [
      new Date(Date.now() - 1000),
      sidOf(expired.accessToken),
    ]);

    const listed = await sessions(second.accessToken);
    expect(listed.status).toBe(200);
    const rows = await stack.db.query<Record<string, any>>(
      `SELECT s.id, w.app_id, s.created_at, s.refreshed_at, s.expires_at, s.ip, s.user_agent
         FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
        WHERE w.account_id = ? AND s.revoked_at IS NULL AND s.expires_at > NOW(3)
        ORDER BY s.created_at DESC, s.id DESC`,
      [first.user.id],
    );
    expect(rows.map((row) => row.id)).toEqual(
      [third, second, first].map((each) => sidOf(each.accessToken)),
    );
    expect(listed.body).toEqual(
      rows.map((row) => ({
        id: row.id,
        appId: row.app_id,
        current: row.id === sidOf(second.accessToken),
        createdAt: (row.created_at as Date).toISOString(),
        refreshedAt: null,
        expiresAt: (row.expires_at as Date).toISOString(),
        ip: row.ip,
        userAgent: row.user_agent,
      })),
    );
    expect(pluck(listed.body, 'ip')).toEqual(['198.51.100.13', '198.51.100.12', '198.51.100.11']);
    expect(pluck(listed.body, 'appId')).toEqual([DEV_APP_ID, MINI_2, DEV_APP_ID]);
    expect(listed.body[1].userAgent).toBe('Pad/2.0');
    expect(listed.body[2].userAgent).toBe('Phone/1.0');
  });

  it('sets refreshedAt at each rotation, and keeps ip and user agent of the login', async () => {
    const first = await login({ ip: '198.51.100.21', ua: 'Rotating/1.0' });
    const sid = sidOf(first.accessToken);
    let refreshToken = first.refreshToken;
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const refreshed = await call(`${stack.service.url}/auth/refresh`, {
        body: { refreshToken },
        headers: { 'x-forwarded-for': '192.0.2.99', 'user-agent': 'Other/9' },
      });
      expect(refreshed.status).toBe(200);
      refreshToken = refreshed.body.refreshToken;
      const [entry] = (await sessions(refreshed.body.accessToken)).body;
      expect(entry).toMatchObject({ id: sid, ip: '198.51.100.21', userAgent: 'Rotating/1.0' });
      const [row] = await stack.db.query<{ refreshed_at: Date }>(
        'SELECT refreshed_at FROM auth_session WHERE id = ?',
        [sid],
      );
      expect(entry.refreshedAt).toBe(row.refreshed_at.toISOString());
      seen.push(entry.refreshedAt);
    }
    expect(seen[1] > seen[0]).toBe(true);
  });
});

describe('DELETE /users/me/sessions/{id}', () => {
  it('revokes another session of the account (reason user): its tokens stop working', async () => {
    const unionid = nextId('u-one-');
    const phone = await login({ unionid });
    const pad = await login({ unionid, appId: MINI_2 });
    const answer = await revoke(phone.accessToken, sidOf(pad.accessToken));
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect((await me(pad.accessToken)).body.code).toBe('SESSION_REVOKED');
    const refresh = await call(`${stack.service.url}/auth/refresh`, {
      body: { refreshToken: pad.refreshToken },
    });
    expect(refresh.body.code).toBe('REFRESH_TOKEN_INVALID');
    expect((await me(phone.accessToken)).status).toBe(200);
    const [row] = await stack.db.query<{ revoke_reason: string }>(
      'SELECT revoke_reason FROM auth_session WHERE id = ?',
      [sidOf(pad.accessToken)],
    );
    expect(row.revoke_reason).toBe('user');
    // Ended now, so no longer one of the account's sessions.
    expect((await revoke(phone.accessToken, sidOf(pad.accessToken))).body.code).toBe('NOT_FOUND');
  });

  it('revokes the current session too: its own token then gets SESSION_REVOKED', async () => {
    const phone = await login();
    expect((await revoke(phone.accessToken, sidOf(phone.accessToken))).status).toBe(204);
    expect((await me(phone.accessToken)).body.code).toBe('SESSION_REVOKED');
  });

  it("answers another account's session exactly as an unknown id, and changes nothing", async () => {
    const mine = await login();
    const theirs = await login();
    const foreign = await revoke(mine.accessToken, sidOf(theirs.accessToken));
    const unknown = await revoke(mine.accessToken, '00000000-0000-4000-8000-000000000000');
    for (const answer of [foreign, unknown]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({
        statusCode: 404,
        code: 'NOT_FOUND',
        message: 'No live session of this account has that id',
        requestId: expect.any(String),
      });
    }
    expect((await me(theirs.accessToken)).status).toBe(200);
    const [row] = await stack.db.query<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM auth_session WHERE id = ?',
      [sidOf(theirs.accessToken)],
    );
    expect(row.revoked_at).toBeNull();
  });

  it.each([
    ['not a UUID', 'abc'],
    ['upper-case UUID of a live session', 'UPPER'],
    ['SQL', "'%20OR%20'1'='1"],
    ['percent-encoded NUL', '%00'],
  ])('answers NOT_FOUND for an id that is %s, never a 500', async (_label, raw) => {
    const mine = await login();
    const id = raw === 'UPPER' ? sidOf(mine.accessToken).toUpperCase() : raw;
    const answer = await revoke(mine.accessToken, id);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('NOT_FOUND');
    expect((await me(mine.accessToken)).status).toBe(200);
  });

  // Fastify refuses a path parameter over its length limit before routing.
  it('answers an id of 2000 characters in the error shape, never a 500', async () => {
    const mine = await login();
    const answer = await revoke(mine.accessToken, 'a'.repeat(2000));
    expect([404, 400]).toContain(answer.status);
    expect(answer.body.code).toBe(answer.status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED');
    expect((await me(mine.accessToken)).status).toBe(200);
  });

  it('needs a bearer token', async () => {
    const answer = await call(
      `${stack.service.url}/users/me/sessions/00000000-0000-4000-8000-000000000000`,
      { method: 'DELETE' },
    );
    expect(answer.body.code).toBe('UNAUTHORIZED');
  });
});

describe('DELETE /users/me/sessions', () => {
  it("revokes every live session of the account but the current one and counts them; other accounts' stay", async () => {
    const unionid = nextId('u-all-');
    const current = await login({ unionid });
    const others = [
      await login({ unionid, appId: MINI_2 }),
      await login({ openid: current.user.openid }),
      await login({ openid: current.user.openid }),
    ];
    const alreadyEnded = await login({ openid: current.user.openid });
    await call(`${stack.service.url}/auth/logout`, {
      method: 'POST',
      token: alreadyEnded.accessToken,
    });
    const stranger = await login();

    const answer = await revokeOthers(current.accessToken);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ revoked: 3 });
    for (const other of others) {
      expect((await me(other.accessToken)).body.code).toBe('SESSION_REVOKED');
    }
    expect((await me(current.accessToken)).status).toBe(200);
    expect((await me(stranger.accessToken)).status).toBe(200);
    const listed = await sessions(current.accessToken);
    expect(listed.body).toEqual([expect.objectContaining({ current: true })]);
    const reasons = await stack.db.query<{ revoke_reason: string }>(
      `SELECT revoke_reason FROM auth_session WHERE id IN (?, ?, ?)`,
      others.map((other) => sidOf(other.accessToken)),
    );
    expect(reasons.map((row) => row.revoke_reason)).toEqual(['user', 'user', 'user']);
    expect((await revokeOthers(current.accessToken)).body).toEqual({ revoked: 0 });
  });

  it('refuses a body or a query as VALIDATION_FAILED, revoking nothing', async () => {
    const current = await login();
    const other = await login({ openid: current.user.openid });
    const withBody = await call(`${stack.service.url}/users/me/sessions`, {
      method: 'DELETE',
      token: current.accessToken,
      body: { all: true },
    });
    const withQuery = await call(`${stack.service.url}/users/me/sessions?all=1`, {
      method: 'DELETE',
      token: current.accessToken,
    });
    expect([withBody.body.code, withQuery.body.code]).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
    ]);
    expect((await me(other.accessToken)).status).toBe(200);
  });
});
