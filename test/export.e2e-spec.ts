import { call, HttpResult } from './support/http';
import {
  createRichAccount,
  RICH_ACCOUNT_EMULATOR,
  RICH_ACCOUNT_ENV,
  RichAccount,
} from './support/rich-account';
import { useTestStack } from './support/stack';

/* docs/api.md Part 2, GET /users/me/export: everything stored about the person, nothing secret. */

const stack = useTestStack(RICH_ACCOUNT_ENV, RICH_ACCOUNT_EMULATOR);
const iso = (date: Date | null) => date?.toISOString() ?? null;
const sidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
const pluck = (list: unknown, key: string) =>
  (list as Array<Record<string, unknown>>).map((entry) => entry[key]);

let person: RichAccount;
let answer: HttpResult;
beforeAll(async () => {
  person = await createRichAccount(stack);
  // Someone else's data must not leak into the export.
  await createRichAccount(stack);
  answer = await call(`${stack.service.url}/users/me/export`, { token: person.accessToken });
});

describe('GET /users/me/export', () => {
  it('answers the account with the user object field names, as stored', async () => {
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual([
      'account',
      'identities',
      'logins',
      'sessions',
    ]);
    const [row] = await stack.db.query<Record<string, any>>('SELECT * FROM account WHERE id = ?', [
      person.accountId,
    ]);
    expect(answer.body.account).toEqual({
      id: row.id,
      nickname: row.nickname,
      avatarUrl: row.avatar_url,
      gender: row.gender,
      phone: row.phone,
      phoneCountryCode: row.phone_country_code,
      status: row.status,
      createdForUnionid: row.created_for_unionid,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      lastLoginAt: iso(row.last_login_at),
      lastLoginIp: row.last_login_ip,
      loginCount: row.login_count,
    });
    expect(answer.body.account).toMatchObject({
      nickname: person.nickname,
      avatarUrl: person.avatarUrl,
      phone: person.phone,
      loginCount: 4,
      lastLoginIp: person.ips[3],
    });
    // Every name the user object also has is spelled as there.
    const user = await call(`${stack.service.url}/users/me`, { token: person.accessToken });
    const shared = Object.keys(answer.body.account).filter((key) => key in user.body);
    expect(shared.sort()).toEqual(
      [
        'id',
        'nickname',
        'avatarUrl',
        'gender',
        'phone',
        'status',
        'createdAt',
        'lastLoginAt',
        'lastLoginIp',
        'loginCount',
      ].sort(),
    );
    for (const key of shared) expect(answer.body.account[key]).toEqual(user.body[key]);
  });

  it('answers every identity, oldest first, as stored', async () => {
    const rows = await stack.db.query<Record<string, any>>(
      'SELECT * FROM wx_user WHERE account_id = ? ORDER BY id',
      [person.accountId],
    );
    expect(rows).toHaveLength(2);
    expect(answer.body.identities).toEqual(
      rows.map((row) => ({
        appId: row.app_id,
        type: 'miniprogram',
        openid: row.openid,
        unionid: row.unionid,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        lastLoginAt: iso(row.last_login_at),
        lastLoginIp: row.last_login_ip,
        loginCount: row.login_count,
        sessionKeyUpdatedAt: iso(row.session_key_updated_at),
      })),
    );
    expect(pluck(answer.body.identities, 'openid')).toEqual(person.openids);
  });

  it('answers every session, ended ones included, newest first, as stored', async () => {
    const rows = await stack.db.query<Record<string, any>>(
      `SELECT s.*, w.app_id FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
        WHERE w.account_id = ? ORDER BY s.created_at DESC, s.id DESC`,
      [person.accountId],
    );
    expect(rows).toHaveLength(4);
    expect(answer.body.sessions).toEqual(
      rows.map((row) => ({
        id: row.id,
        appId: row.app_id,
        current: row.id === sidOf(person.accessToken),
        createdAt: iso(row.created_at),
        refreshedAt: iso(row.refreshed_at),
        expiresAt: iso(row.expires_at),
        revokedAt: iso(row.revoked_at),
        revokeReason: row.revoke_reason,
        ip: row.ip,
        userAgent: row.user_agent,
      })),
    );
    const reasons = pluck(answer.body.sessions, 'revokeReason');
    expect(reasons).toEqual([null, null, 'logout', null]);
    expect(answer.body.sessions[1].refreshedAt).not.toBeNull();
    expect(pluck(answer.body.sessions, 'ip')).toEqual([...person.ips].reverse());
  });

  it('answers every login, newest first, as stored', async () => {
    const rows = await stack.db.query<Record<string, any>>(
      `SELECT l.*, w.app_id FROM login_log l JOIN wx_user w ON w.id = l.wx_user_id
        WHERE w.account_id = ? ORDER BY l.at DESC, l.id DESC`,
      [person.accountId],
    );
    expect(rows).toHaveLength(4);
    expect(answer.body.logins).toEqual(
      rows.map((row) => ({
        at: iso(row.at),
        appId: row.app_id,
        ip: row.ip,
        userAgent: row.user_agent,
        isNewUser: Boolean(row.is_new_user),
      })),
    );
    expect(pluck(answer.body.logins, 'userAgent')).toEqual([...person.userAgents].reverse());
  });

  it('carries no session key, token or token hash', async () => {
    const stored = await stack.db.query<{ value: string }>(
      `SELECT t.token_hash AS value FROM refresh_token t
         JOIN auth_session s ON s.id = t.session_id JOIN wx_user w ON w.id = s.wx_user_id
        WHERE w.account_id = ?
       UNION ALL SELECT session_key_cipher FROM wx_user WHERE account_id = ?`,
      [person.accountId, person.accountId],
    );
    const secrets = [
      ...person.secrets,
      ...stored.map((row) => row.value),
      person.accessToken,
      person.secondAccessToken,
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(14);
    for (const secret of secrets) expect(answer.text).not.toContain(secret);
    expect(answer.text).not.toMatch(/token|sessionKey"|cipher|hash/i);
  });

  it('needs a bearer token and takes no query', async () => {
    expect((await call(`${stack.service.url}/users/me/export`)).body.code).toBe('UNAUTHORIZED');
    const withQuery = await call(`${stack.service.url}/users/me/export?all=1`, {
      token: person.accessToken,
    });
    expect(withQuery.body.code).toBe('VALIDATION_FAILED');
  });
});
