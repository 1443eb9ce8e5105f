import { createHash, randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mariadb';
import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { connectionSettings } from '../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../src/prisma/migration-runner';
import { applyMigrationsBefore, TEST_SERVER_URL } from './support/database';
import { call } from './support/http';
import { RunningService, startService } from './support/service';

/*
 * The session-token migration on sessions refreshed under the previous schema, where every
 * token, the current one too, was a refresh_token row: the current token moves onto its
 * session and keeps working, spent ones stay and are still recognised as replays.
 */

const MIGRATION = '20261125000000_session_token';

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const token = (name: string) => `${name}-${'x'.repeat(40)}`;
const DAY_MS = 24 * 3600 * 1000;

/** Sessions as the previous schema held them, each with its tokens, oldest first. */
const SESSIONS = [
  // Refreshed twice: two spent tokens and the current one.
  { id: '00000000-0000-4000-8000-00000000000a', revoked: false, tokens: ['a1', 'a2', 'a3'] },
  // Its last rotation failed midway: every token spent, none current.
  {
    id: '00000000-0000-4000-8000-00000000000b',
    revoked: false,
    tokens: ['b1', 'b2'],
    noCurrent: true,
  },
  // Logged out with its current token unspent.
  { id: '00000000-0000-4000-8000-00000000000c', revoked: true, tokens: ['c1'] },
  // Another live session, for the replay.
  { id: '00000000-0000-4000-8000-00000000000d', revoked: false, tokens: ['d1', 'd2'] },
];

describe(`migration ${MIGRATION}`, () => {
  const url = `${TEST_SERVER_URL}/wxauth_test_${randomBytes(6).toString('hex')}`;
  const now = Date.now();
  const issued = (index: number) => new Date(now - DAY_MS + index * 1000);
  const expires = new Date(now + 10 * DAY_MS);
  let db: Connection;
  let emulator: RunningEmulator;
  let service: RunningService;

  const refresh = (refreshToken: string) =>
    call(`${service.url}/auth/refresh`, { body: { refreshToken } });

  beforeAll(async () => {
    await applyMigrationsBefore(url, MIGRATION);
    db = await createConnection({ ...connectionSettings(url), bigIntAsNumber: true });
    await db.query(
      `INSERT INTO account (id, login_count, created_at, updated_at) VALUES (1, 1, NOW(3), NOW(3))`,
    );
    await db.query(
      `INSERT INTO wx_user (id, account_id, app_id, openid, login_count, created_at, updated_at)
       VALUES (1, 1, 'wx1234567890abcdef', 'o-migrated', 1, NOW(3), NOW(3))`,
    );
    for (const session of SESSIONS) {
      await db.query(
        `INSERT INTO auth_session (id, wx_user_id, created_at, refreshed_at, expires_at, revoked_at, revoke_reason)
         VALUES (?, 1, ?, ?, ?, ?, ?)`,
        [
          session.id,
          issued(0),
          session.tokens.length > 1 ? issued(session.tokens.length - 1) : null,
          expires,
          session.revoked ? issued(9) : null,
          session.revoked ? 'logout' : null,
        ],
      );
      for (const [index, name] of session.tokens.entries()) {
        const spent = index < session.tokens.length - 1 || session.noCurrent;
        await db.query(
          `INSERT INTO refresh_token (session_id, token_hash, expires_at, rotated_at, created_at)
           VALUES (?, ?, ?, ?, ?)`,
          [session.id, hash(token(name)), expires, spent ? issued(index + 1) : null, issued(index)],
        );
      }
    }
    const result = await applyMigrations(url);
    expect(result.applied).toEqual([MIGRATION]);
    emulator = await startWechatEmulator({ port: 0 });
    service = await startService({ DATABASE_URL: url, WECHAT_API_BASE_URL: emulator.url });
  });

  afterAll(async () => {
    await service?.close();
    await emulator?.close();
    await db?.end();
    await dropDatabase(url);
  });

  it("puts each session's current token on the session and keeps only spent ones apart", async () => {
    expect(await db.query('SELECT id, token_hash FROM auth_session ORDER BY id')).toEqual([
      { id: SESSIONS[0].id, token_hash: hash(token('a3')) },
      { id: SESSIONS[1].id, token_hash: null },
      { id: SESSIONS[2].id, token_hash: hash(token('c1')) },
      { id: SESSIONS[3].id, token_hash: hash(token('d2')) },
    ]);
    expect(
      await db.query(
        'SELECT session_id, token_hash, created_at FROM refresh_token ORDER BY session_id, created_at',
      ),
    ).toEqual(
      ['a1', 'a2', 'b1', 'b2', 'd1'].map((name) => ({
        session_id: SESSIONS.find((s) => s.tokens.includes(name))!.id,
        token_hash: hash(token(name)),
        created_at: issued(Number(name[1]) - 1),
      })),
    );
    const [column] = await db.query<Array<{ nullable: string }>>(
      `SELECT IS_NULLABLE AS nullable FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'refresh_token' AND COLUMN_NAME = 'rotated_at'`,
    );
    expect(column.nullable).toBe('NO');
  });

  it('refreshes with a current token issued before the migration, once', async () => {
    const first = await refresh(token('a3'));
    expect(first.status).toBe(200);
    expect(typeof first.body.refreshToken).toBe('string');
    const me = await call(`${service.url}/users/me`, { token: first.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(1);

    expect((await refresh(first.body.refreshToken)).status).toBe(200);
  });

  it('refuses the current token of a session logged out before the migration', async () => {
    const answer = await refresh(token('c1'));
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('recognises a token spent before the migration as a replay and revokes its session', async () => {
    const answer = await refresh(token('d1'));
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('REFRESH_TOKEN_REUSED');
    const [session] = await db.query<Array<{ revoke_reason: string }>>(
      'SELECT revoke_reason FROM auth_session WHERE id = ?',
      [SESSIONS[3].id],
    );
    expect(session.revoke_reason).toBe('reuse');
    expect((await refresh(token('d2'))).body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('leaves a session whose rotation failed before the migration unable to refresh', async () => {
    expect((await refresh(token('b2'))).body.code).toBe('REFRESH_TOKEN_REUSED');
  });
});
