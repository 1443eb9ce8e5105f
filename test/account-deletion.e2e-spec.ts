import { call } from './support/http';
import { spawnService, ServiceProcess, waitForOk } from './support/process';
import {
  createRichAccount,
  RICH_ACCOUNT_EMULATOR,
  RICH_ACCOUNT_ENV,
  RichAccount,
} from './support/rich-account';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

/*
 * docs/api.md Part 2, DELETE /users/me: nothing about the person stays in any table, their
 * tokens die on every instance at once, and a failure midway deletes nothing.
 */

const JWT_SECRET = 'account-deletion-spec-jwt-secret-0123456789';
const stack = useTestStack({ ...RICH_ACCOUNT_ENV, JWT_SECRET }, RICH_ACCOUNT_EMULATOR);

/** A second instance of the service: its own process on the same database. */
let other: ServiceProcess;
let otherUrl: string;
beforeAll(async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  otherUrl = `http://127.0.0.1:${port}`;
  other = spawnService({
    ...stack.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
  });
  await waitForOk(`${otherUrl}/health/ready`);
});
afterAll(async () => {
  other?.child.kill('SIGTERM');
  await other?.exited;
});

const deleteMe = (url: string, token: string) =>
  call(`${url}/users/me`, { method: 'DELETE', token });
const me = (url: string, token: string) => call(`${url}/users/me`, { token });
const refresh = (url: string, refreshToken: string) =>
  call(`${url}/auth/refresh`, { body: { refreshToken } });

/** Every (table, column) of the database and how many of its values contain `needle`. */
async function findEverywhere(needles: string[]): Promise<string[]> {
  const columns = await stack.db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name AS table_name, column_name AS column_name FROM information_schema.columns
      WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`,
  );
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const needle of needles) {
      const [{ n }] = await stack.db.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM \`${table}\` WHERE INSTR(CAST(\`${column}\` AS CHAR), ?) > 0`,
        [needle],
      );
      if (n > 0) found.push(`${table}.${column} holds ${needle}`);
    }
  }
  return found;
}

const personalData = (person: RichAccount) => [
  ...person.openids,
  person.unionid,
  person.phone,
  person.nickname,
  person.avatarUrl,
  ...person.ips,
  ...person.userAgents,
];

describe('DELETE /users/me', () => {
  let person: RichAccount;
  let bystander: RichAccount;
  beforeAll(async () => {
    person = await createRichAccount(stack);
    bystander = await createRichAccount(stack);
  });

  it('leaves no personal data in any column of any table, only the audit row', async () => {
    const needles = personalData(person);
    expect(needles).toHaveLength(14);
    // The scan finds each value before: it is a scan that can fail.
    const before = await findEverywhere(needles);
    for (const needle of needles) expect(before.join('\n')).toContain(`holds ${needle}`);

    const tablesBefore = await stack.db.query<{ t: string }>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()',
    );
    expect(tablesBefore.map((row) => row.t)).toEqual(
      expect.arrayContaining(['account', 'wx_user', 'auth_session', 'refresh_token', 'login_log']),
    );

    // Both instances accept the tokens of both identities before.
    for (const url of [stack.service.url, otherUrl]) {
      expect((await me(url, person.accessToken)).status).toBe(200);
      expect((await me(url, person.secondAccessToken)).status).toBe(200);
    }

    const started = new Date(Date.now() - 1000);
    const answer = await deleteMe(stack.service.url, person.secondAccessToken);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');

    expect(await findEverywhere(needles)).toEqual([]);
    const audit = await stack.db.query<Record<string, any>>(
      'SELECT * FROM audit_log WHERE account_id = ?',
      [person.accountId],
    );
    expect(audit).toEqual([
      {
        id: expect.any(Number),
        at: expect.any(Date),
        actor: 'self',
        action: 'delete',
        account_id: person.accountId,
        reason: null,
      },
    ]);
    expect((audit[0].at as Date).getTime()).toBeGreaterThanOrEqual(started.getTime());
    // Nothing of anyone else went with it.
    const kept = (await findEverywhere(personalData(bystander))).join('\n');
    for (const needle of personalData(bystander)) expect(kept).toContain(`holds ${needle}`);
    expect((await me(stack.service.url, bystander.accessToken)).status).toBe(200);
  });

  it('kills its access and refresh tokens on every instance at once', async () => {
    for (const url of [otherUrl, stack.service.url]) {
      for (const token of [person.accessToken, person.secondAccessToken]) {
        const refused = await me(url, token);
        expect(refused.status).toBe(401);
        expect(['SESSION_REVOKED', 'UNAUTHORIZED']).toContain(refused.body.code);
        expect((await deleteMe(url, token)).status).toBe(401);
      }
      for (const token of [person.refreshToken, person.secondRefreshToken]) {
        expect((await refresh(url, token)).body.code).toBe('REFRESH_TOKEN_INVALID');
      }
    }
  });

  it("makes the same WeChat user's next login a new account", async () => {
    const minted = await mintLoginCode(stack.emulator.url, { openid: person.openids[0] });
    const again = await call(`${stack.service.url}/auth/wechat/login`, {
      body: { code: minted.code },
    });
    expect(again.status).toBe(200);
    expect(again.body.isNewUser).toBe(true);
    expect(again.body.user).toMatchObject({
      openid: person.openids[0],
      loginCount: 1,
      nickname: null,
      phone: null,
    });
    expect(again.body.user.id).not.toBe(person.accountId);
    expect(again.body.user.identities).toHaveLength(1);
  });
});

describe('DELETE /users/me when the database fails midway', () => {
  const TRIGGER = 'audit_log_refuses_for_test';
  afterAll(async () => {
    await stack.db.query(`DROP TRIGGER IF EXISTS ${TRIGGER}`);
  });

  it('answers an error and leaves the account whole, with no audit row', async () => {
    const person = await createRichAccount(stack);
    const snapshot = async () => ({
      account: await stack.db.query('SELECT * FROM account WHERE id = ?', [person.accountId]),
      identities: await stack.db.query('SELECT * FROM wx_user WHERE account_id = ? ORDER BY id', [
        person.accountId,
      ]),
      sessions: await stack.db.query(
        `SELECT s.* FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
          WHERE w.account_id = ? ORDER BY s.id`,
        [person.accountId],
      ),
      tokens: await stack.db.query(
        `SELECT t.* FROM refresh_token t JOIN auth_session s ON s.id = t.session_id
           JOIN wx_user w ON w.id = s.wx_user_id WHERE w.account_id = ? ORDER BY t.id`,
        [person.accountId],
      ),
      logins: await stack.db.query(
        `SELECT l.* FROM login_log l JOIN wx_user w ON w.id = l.wx_user_id
          WHERE w.account_id = ? ORDER BY l.id`,
        [person.accountId],
      ),
      audit: await stack.db.query('SELECT * FROM audit_log WHERE account_id = ?', [
        person.accountId,
      ]),
    });
    const before = await snapshot();
    expect(before.identities).toHaveLength(2);
    expect(before.sessions).toHaveLength(4);
    expect(before.logins).toHaveLength(4);
    // Foreign-key cascades fire no triggers, so the failure comes after the cascading delete,
    // when the audit row is written: the rows are already gone inside the transaction.
    await stack.db.query(
      `CREATE TRIGGER ${TRIGGER} BEFORE INSERT ON audit_log FOR EACH ROW
       BEGIN
         IF NEW.account_id = ${Number(person.accountId)} THEN
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused for the test';
         END IF;
       END`,
    );

    const answer = await deleteMe(stack.service.url, person.accessToken);
    expect([500, 503]).toContain(answer.status);
    expect(['INTERNAL', 'DATABASE_UNAVAILABLE']).toContain(answer.body.code);
    expect(answer.text).not.toMatch(/refused for the test|SIGNAL|audit_log|45000/);
    expect(await snapshot()).toEqual(before);
    expect((await me(otherUrl, person.accessToken)).status).toBe(200);
    expect((await me(stack.service.url, person.secondAccessToken)).status).toBe(200);

    await stack.db.query(`DROP TRIGGER ${TRIGGER}`);
    expect((await deleteMe(stack.service.url, person.accessToken)).status).toBe(204);
    expect(await stack.db.query('SELECT id FROM account WHERE id = ?', [person.accountId])).toEqual(
      [],
    );
  });
});
