import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mariadb';
import { connectionSettings } from '../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../src/prisma/migration-runner';
import { applyMigrationsBefore, TEST_SERVER_URL } from './support/database';

/*
 * The accounts migration on a database filled through the previous schema (one mini-program,
 * wx_user as the person): every wx_user becomes an account with the same id carrying its
 * profile, phone, status and counters; sessions and logins keep pointing at the same identity.
 */

const MIGRATION = '20261124000000_accounts';

const t = (iso: string) => new Date(iso);

const OLD_USERS = [
  {
    id: 1,
    app_id: 'wx1234567890abcdef',
    openid: 'o-first',
    unionid: 'u-shared',
    session_key_cipher: 'c1',
    session_key_kid: 'k1',
    session_key_updated_at: t('2026-01-02T03:04:05.678Z'),
    nickname: '小明😀',
    avatar_url: 'https://example.com/a.png',
    gender: 1,
    phone: '13800138000',
    phone_country_code: '86',
    status: 'active',
    login_count: 7,
    last_login_at: t('2026-03-04T05:06:07.891Z'),
    last_login_ip: '203.0.113.9',
    created_at: t('2026-01-01T00:00:00.001Z'),
    updated_at: t('2026-03-04T05:06:07.891Z'),
  },
  {
    id: 2,
    app_id: 'wx1234567890abcdef',
    openid: 'o-second',
    unionid: null,
    session_key_cipher: null,
    session_key_kid: null,
    session_key_updated_at: null,
    nickname: null,
    avatar_url: null,
    gender: 0,
    phone: '+12025550123',
    phone_country_code: '1',
    status: 'disabled',
    login_count: 1,
    last_login_at: null,
    last_login_ip: null,
    created_at: t('2026-02-01T00:00:00.000Z'),
    updated_at: t('2026-02-01T00:00:00.000Z'),
  },
  {
    // Shares a unionid and a phone with the first (the old schema allowed it).
    id: 5,
    app_id: 'wx1234567890abcdef',
    openid: 'o-third',
    unionid: 'u-shared',
    session_key_cipher: 'c3',
    session_key_kid: 'k3',
    session_key_updated_at: t('2026-04-01T00:00:00.000Z'),
    nickname: 'Ünïcode',
    avatar_url: null,
    gender: 2,
    phone: '13800138000',
    phone_country_code: '86',
    status: 'active',
    login_count: 3,
    last_login_at: t('2026-04-01T00:00:00.000Z'),
    last_login_ip: '2001:db8::1',
    created_at: t('2026-03-01T00:00:00.000Z'),
    updated_at: t('2026-04-01T00:00:00.000Z'),
  },
];

describe(`migration ${MIGRATION}`, () => {
  const url = `${TEST_SERVER_URL}/wxauth_test_${randomBytes(6).toString('hex')}`;
  let db: Connection;

  beforeAll(async () => {
    await applyMigrationsBefore(url, MIGRATION);
    db = await createConnection({ ...connectionSettings(url), bigIntAsNumber: true });
    for (const user of OLD_USERS) {
      const columns = Object.keys(user);
      await db.query(
        `INSERT INTO wx_user (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        Object.values(user),
      );
    }
    await db.query(
      `INSERT INTO auth_session (id, user_id, created_at, expires_at, revoked_at, revoke_reason)
       VALUES ('00000000-0000-4000-8000-000000000001', 1, ?, ?, NULL, NULL),
              ('00000000-0000-4000-8000-000000000002', 5, ?, ?, ?, 'logout')`,
      [
        t('2026-03-04T05:06:07.891Z'),
        t('2026-04-04T00:00:00.000Z'),
        t('2026-04-01T00:00:00.000Z'),
        t('2026-05-01T00:00:00.000Z'),
        t('2026-04-02T00:00:00.000Z'),
      ],
    );
    await db.query(
      `INSERT INTO refresh_token (session_id, token_hash, expires_at, created_at)
       VALUES ('00000000-0000-4000-8000-000000000001', ?, ?, ?)`,
      ['a'.repeat(64), t('2026-04-04T00:00:00.000Z'), t('2026-03-04T05:06:07.891Z')],
    );
    await db.query(
      `INSERT INTO login_log (user_id, at, ip, user_agent, is_new_user)
       VALUES (1, ?, '203.0.113.9', 'agent/1', 1), (5, ?, '2001:db8::1', NULL, 0)`,
      [t('2026-01-01T00:00:00.001Z'), t('2026-04-01T00:00:00.000Z')],
    );
    const result = await applyMigrations(url);
    expect(result.applied[0]).toBe(MIGRATION);
  });

  afterAll(async () => {
    await db?.end();
    await dropDatabase(url);
  });

  it('gives every wx_user an account with the same id and all of its person data', async () => {
    const accounts = await db.query('SELECT * FROM account ORDER BY id');
    expect(accounts).toEqual(
      OLD_USERS.map((user, index) => ({
        id: user.id,
        // The oldest row keeps a value that several rows shared (the keys are unique now).
        created_for_unionid: index === 2 ? null : user.unionid,
        nickname: user.nickname,
        avatar_url: user.avatar_url,
        gender: user.gender,
        phone: index === 2 ? null : user.phone,
        phone_country_code: index === 2 ? null : user.phone_country_code,
        status: user.status,
        login_count: user.login_count,
        last_login_at: user.last_login_at,
        last_login_ip: user.last_login_ip,
        created_at: user.created_at,
        updated_at: user.updated_at,
      })),
    );
  });

  it('keeps every identity column and points each identity at its account', async () => {
    const identities = await db.query('SELECT * FROM wx_user ORDER BY id');
    expect(identities).toEqual(
      OLD_USERS.map((user) => ({
        id: user.id,
        account_id: user.id,
        app_id: user.app_id,
        openid: user.openid,
        unionid: user.unionid,
        session_key_cipher: user.session_key_cipher,
        session_key_kid: user.session_key_kid,
        session_key_updated_at: user.session_key_updated_at,
        login_count: user.login_count,
        last_login_at: user.last_login_at,
        last_login_ip: user.last_login_ip,
        created_at: user.created_at,
        updated_at: user.updated_at,
      })),
    );
  });

  it('keeps sessions, their refresh tokens and logins on the same identities', async () => {
    const sessions = await db.query(
      'SELECT id, wx_user_id, revoke_reason, refreshed_at, ip, user_agent FROM auth_session ORDER BY id',
    );
    expect(sessions).toEqual([
      {
        id: '00000000-0000-4000-8000-000000000001',
        wx_user_id: 1,
        revoke_reason: null,
        refreshed_at: null,
        ip: null,
        user_agent: null,
      },
      {
        id: '00000000-0000-4000-8000-000000000002',
        wx_user_id: 5,
        revoke_reason: 'logout',
        refreshed_at: null,
        ip: null,
        user_agent: null,
      },
    ]);
    // The unspent token lives on its session since 20261125000000_session_token.
    expect(await db.query('SELECT id, token_hash FROM auth_session ORDER BY id')).toEqual([
      { id: '00000000-0000-4000-8000-000000000001', token_hash: 'a'.repeat(64) },
      { id: '00000000-0000-4000-8000-000000000002', token_hash: null },
    ]);
    expect(await db.query('SELECT session_id FROM refresh_token')).toEqual([]);
    expect(
      await db.query('SELECT wx_user_id, ip, user_agent, is_new_user FROM login_log ORDER BY id'),
    ).toEqual([
      { wx_user_id: 1, ip: '203.0.113.9', user_agent: 'agent/1', is_new_user: 1 },
      { wx_user_id: 5, ip: '2001:db8::1', user_agent: null, is_new_user: 0 },
    ]);
  });

  it('lets new accounts continue after the highest migrated id', async () => {
    await db.query('INSERT INTO account (created_at, updated_at) VALUES (NOW(3), NOW(3))');
    const [{ id }] = await db.query<Array<{ id: number }>>('SELECT MAX(id) AS id FROM account');
    expect(id).toBeGreaterThan(5);
  });
});
