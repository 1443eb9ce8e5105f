import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { call } from './support/http';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

/*
 * `npm run admin` (docs/api.md Part 2, "Admin command") as an operator runs it: the compiled
 * command in its own process against the test database, while the real service serves the
 * accounts it changes.
 */

const ADMIN_MAIN = join(__dirname, '..', 'dist', 'src', 'admin', 'main.js');
const MINI_2 = 'wx00000000000000b2';
const MINI_2_SECRET = '2'.repeat(32);

const stack = useTestStack(
  { WECHAT_APPS: JSON.stringify([{ appId: MINI_2, secret: MINI_2_SECRET, type: 'miniprogram' }]) },
  {
    apps: [
      { appId: DEV_APP_ID, appSecret: '0123456789abcdef0123456789abcdef' },
      { appId: MINI_2, appSecret: MINI_2_SECRET },
    ],
  },
);

/** A working directory of its own, so no .env of the checkout leaks into the command. */
let workDir: string;
beforeAll(() => {
  if (!existsSync(ADMIN_MAIN)) throw new Error(`${ADMIN_MAIN} is missing: run \`npm run build\``);
  workDir = mkdtempSync(join(tmpdir(), 'admin-command-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function admin(args: string[], env: Record<string, string> = {}): Promise<AdminRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [ADMIN_MAIN, ...args], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: stack.db.url, ADMIN_ACTOR: 'alice', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

let unique = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(unique++).toString(36)}`;

interface LoggedIn {
  accountId: number;
  accessToken: string;
  refreshToken: string;
  openid: string;
  sessionKey: string;
}

async function login(options: { appId?: string; openid?: string; unionid?: string } = {}) {
  const minted = await mintLoginCode(stack.emulator.url, options);
  const body = options.appId ? { code: minted.code, appId: options.appId } : { code: minted.code };
  const result = await call(`${stack.service.url}/auth/wechat/login`, { body });
  expect(result.status).toBe(200);
  return {
    accountId: result.body.user.id as number,
    accessToken: result.body.accessToken as string,
    refreshToken: result.body.refreshToken as string,
    openid: minted.openid,
    sessionKey: minted.sessionKey,
    isNewUser: result.body.isNewUser as boolean,
  };
}

const me = (user: LoggedIn) => call(`${stack.service.url}/users/me`, { token: user.accessToken });
const refresh = (user: LoggedIn) =>
  call(`${stack.service.url}/auth/refresh`, { body: { refreshToken: user.refreshToken } });

async function bindPhone(user: LoggedIn, phoneNumber: string): Promise<void> {
  const minted = await call(`${stack.emulator.url}/__emulator/phone-code`, {
    body: { openid: user.openid, phoneNumber },
  });
  const bound = await call(`${stack.service.url}/users/me/phone`, {
    body: { code: minted.body.code },
    token: user.accessToken,
  });
  expect(bound.status).toBe(200);
}

const auditOf = (accountId: number) =>
  stack.db.query<{ actor: string; action: string; reason: string | null; at: Date }>(
    'SELECT actor, action, reason, at FROM audit_log WHERE account_id = ? ORDER BY id',
    [accountId],
  );

describe('usage', () => {
  it('--help prints the commands and exits 0 without a database', async () => {
    const run = await admin(['--help'], { DATABASE_URL: 'mysql://root@127.0.0.1:1/none' });
    expect(run.code).toBe(0);
    for (const command of ['find', 'disable', 'enable', 'revoke-sessions', 'delete']) {
      expect(run.stdout).toContain(command);
    }
  });

  it.each([
    [[], 'a command is required'],
    [['frobnicate', '1'], 'unknown command "frobnicate"'],
    [['find'], 'find needs'],
    [['enable'], 'enable needs an account id'],
    [['enable', 'abc'], '"abc" is not an account id'],
    [['delete', '0'], '"0" is not an account id'],
    [['revoke-sessions', '18446744073709551616'], 'is not an account id'],
    [['disable', '1'], 'disable needs --reason'],
    [['disable', '1', '--reason', '  '], '--reason needs a non-empty text'],
    [['disable', '1', '--reason', '<256 characters>'], 'longer than 255'],
    [['enable', '1', '2'], 'unexpected argument "2"'],
    [['enable', '1', '--force'], 'unknown option "--force"'],
  ])('%j is a usage error: exit 2, nothing written', async (args, message) => {
    const run = await admin(
      args.map((arg) => (arg === '<256 characters>' ? 'x'.repeat(256) : arg)),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(await stack.db.query('SELECT id FROM audit_log')).toEqual([]);
  });
});

describe('find', () => {
  it('finds an account by id, openid, unionid and phone, and prints no secret', async () => {
    const unionid = nextId('u-find-');
    const first = await login({ unionid });
    const second = await login({ appId: MINI_2, unionid });
    expect(second.accountId).toBe(first.accountId);
    const phone = `137${String(Date.now()).slice(-8)}`;
    await bindPhone(first, phone);
    expect((await refresh(first)).status).toBe(200);

    for (const query of [String(first.accountId), first.openid, second.openid, unionid, phone]) {
      const run = await admin(['find', query]);
      expect({ query, code: run.code, stderr: run.stderr }).toEqual({ query, code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^account ${first.accountId}  active  created `));
      expect(run.stdout).toContain(
        `identity  ${DEV_APP_ID}  openid ${first.openid}  unionid ${unionid}`,
      );
      expect(run.stdout).toContain(
        `identity  ${MINI_2}  openid ${second.openid}  unionid ${unionid}`,
      );
      expect(run.stdout).toContain(`phone     +86 ${phone}`);
      expect(run.stdout).toContain('sessions  2 live');
    }

    // Everything secret the database or the client holds for this account.
    const [cipher] = await stack.db.query<{ session_key_cipher: string }>(
      'SELECT session_key_cipher FROM wx_user WHERE openid = ?',
      [first.openid],
    );
    const hashes = await stack.db.query<{ token_hash: string }>(
      `SELECT s.token_hash FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
        WHERE w.account_id = ? AND s.token_hash IS NOT NULL
       UNION ALL SELECT t.token_hash FROM refresh_token t JOIN auth_session s ON s.id = t.session_id
         JOIN wx_user w ON w.id = s.wx_user_id WHERE w.account_id = ?`,
      [first.accountId, first.accountId],
    );
    const newRefreshToken = (await refresh(second)).body.refreshToken as string;
    const secrets = [
      first.sessionKey,
      second.sessionKey,
      cipher.session_key_cipher,
      first.accessToken,
      first.refreshToken,
      newRefreshToken,
      createHash('sha256').update(first.refreshToken).digest('hex'),
      ...hashes.map((row) => row.token_hash),
    ];
    expect(cipher.session_key_cipher).toBeTruthy();
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    for (const args of [
      ['find', unionid],
      ['find', unionid, '--json'],
    ]) {
      const run = await admin(args);
      expect(run.code).toBe(0);
      for (const secret of secrets) {
        expect(run.stdout + run.stderr).not.toContain(secret);
      }
    }
  });

  it('--json answers the accounts as data', async () => {
    const user = await login({ unionid: nextId('u-json-') });
    const run = await admin(['find', user.openid, '--json']);
    expect(run.code).toBe(0);
    const [found] = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(found).toMatchObject({
      id: user.accountId,
      matchedBy: ['openid'],
      status: 'active',
      liveSessions: 1,
      loginCount: 1,
      identities: [{ appId: DEV_APP_ID, openid: user.openid, loginCount: 1 }],
      audit: [],
    });
    expect(found).not.toHaveProperty('sessionKeyCipher');
  });

  it('lists every account a unionid names (an unlinked identity keeps its unionid)', async () => {
    const unionid = nextId('u-split-');
    const first = await login({ unionid });
    const second = await login({ appId: MINI_2, unionid });
    const unlinked = await call(`${stack.service.url}/users/me/identities/${MINI_2}`, {
      method: 'DELETE',
      token: first.accessToken,
    });
    expect(unlinked.status).toBe(204);
    const run = await admin(['find', unionid]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2 accounts match\n/);
    expect(run.stdout).toContain(`account ${first.accountId}  active`);
    expect(run.stdout).toContain(`openid ${second.openid}`);
  });

  it('exits 1 when nothing matches', async () => {
    const run = await admin(['find', 'o-nobody-has-this']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no account matches "o-nobody-has-this"');
    expect((await admin(['find', '999999999'])).code).toBe(1);
  });
});

describe('disable and enable', () => {
  it('disable refuses the account at once, records who and why; enable lets it back', async () => {
    const user = await login();
    expect((await me(user)).status).toBe(200);

    const disabled = await admin([
      'disable',
      String(user.accountId),
      '--reason',
      'spam reports #42',
    ]);
    expect(disabled).toMatchObject({ code: 0, stderr: '' });
    expect(disabled.stdout.trim()).toBe(
      `disabled account ${user.accountId}: its sessions are refused from now on`,
    );
    // No waiting: the very next request with the token issued before is refused.
    const refused = await me(user);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('USER_DISABLED');
    expect((await refresh(user)).body.code).toBe('USER_DISABLED');
    const again = await call(`${stack.service.url}/auth/wechat/login`, {
      body: { code: (await mintLoginCode(stack.emulator.url, { openid: user.openid })).code },
    });
    expect(again.body.code).toBe('USER_DISABLED');

    const audit = await auditOf(user.accountId);
    expect(audit).toEqual([
      { actor: 'alice', action: 'disable', reason: 'spam reports #42', at: expect.any(Date) },
    ]);
    expect(Math.abs(audit[0].at.getTime() - Date.now())).toBeLessThan(60_000);

    // Disabling again changes nothing and records nothing.
    const twice = await admin(['disable', String(user.accountId), '--reason=still spam']);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain('was already disabled; nothing changed');
    expect(await auditOf(user.accountId)).toHaveLength(1);

    const found = await admin(['find', String(user.accountId)]);
    expect(found.stdout).toContain(`account ${user.accountId}  disabled`);
    expect(found.stdout).toMatch(/audit {5}\S+ {2}disable by alice: spam reports #42/);

    const enabled = await admin(['enable', String(user.accountId)], { ADMIN_ACTOR: '' });
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toContain(`enabled account ${user.accountId}`);
    expect((await me(user)).status).toBe(200);
    const [, enableRow] = await auditOf(user.accountId);
    // Without ADMIN_ACTOR the OS user is the actor.
    expect(enableRow).toMatchObject({ action: 'enable', reason: null });
    expect(enableRow.actor).toBe((await import('node:os')).userInfo().username);
  });

  it('exits 1 for an account that does not exist, writing nothing', async () => {
    for (const args of [
      ['disable', '987654321', '--reason', 'x'],
      ['enable', '987654321'],
      ['revoke-sessions', '987654321'],
      ['delete', '987654321'],
    ]) {
      const run = await admin(args);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(run.stderr).toContain('no account 987654321');
    }
    expect(await auditOf(987654321)).toEqual([]);
  });
});

describe('revoke-sessions', () => {
  it('revokes every live session of every identity, with the count', async () => {
    const unionid = nextId('u-revoke-');
    const first = await login({ unionid });
    const sameAppAgain = await login({ openid: first.openid });
    const second = await login({ appId: MINI_2, unionid });
    const other = await login();

    const run = await admin(['revoke-sessions', String(first.accountId), '--reason', 'lost phone']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.trim()).toBe(`revoked 3 sessions of account ${first.accountId}`);

    for (const user of [first, sameAppAgain, second]) {
      const answer = await me(user);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('SESSION_REVOKED');
      expect((await refresh(user)).body.code).toBe('REFRESH_TOKEN_INVALID');
    }
    expect((await me(other)).status).toBe(200);
    const reasons = await stack.db.query<{ revoke_reason: string; revoked: number }>(
      `SELECT s.revoke_reason, s.revoked_at IS NOT NULL AS revoked FROM auth_session s
         JOIN wx_user w ON w.id = s.wx_user_id WHERE w.account_id = ?`,
      [first.accountId],
    );
    expect(reasons).toEqual(Array(3).fill({ revoke_reason: 'admin', revoked: 1 }));
    expect(await auditOf(first.accountId)).toEqual([
      { actor: 'alice', action: 'revoke-sessions', reason: 'lost phone', at: expect.any(Date) },
    ]);

    // The account itself stays usable: the next login starts a new session.
    const back = await login({ openid: first.openid });
    expect(back.accountId).toBe(first.accountId);
    expect((await me(back)).status).toBe(200);

    const json = await admin(['revoke-sessions', String(first.accountId), '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      accountId: first.accountId,
      command: 'revoke-sessions',
      changed: true,
      revokedSessions: 1,
      actor: 'alice',
    });
    const none = await admin(['revoke-sessions', String(first.accountId)]);
    expect(none.stdout).toContain('has no live session; nothing changed');
    expect(await auditOf(first.accountId)).toHaveLength(2);
  });
});

describe('delete', () => {
  it('deletes the account with deleteAccount; its tokens die and the next login is a new account', async () => {
    const user = await login();
    const run = await admin(['delete', String(user.accountId), '--reason', 'PIPL request 2026-77']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.trim()).toBe(
      `deleted account ${user.accountId} with 1 identity, 1 session and 1 login`,
    );
    expect(await stack.db.query('SELECT id FROM account WHERE id = ?', [user.accountId])).toEqual(
      [],
    );
    expect(await stack.db.query('SELECT id FROM wx_user WHERE openid = ?', [user.openid])).toEqual(
      [],
    );
    expect(await auditOf(user.accountId)).toEqual([
      { actor: 'alice', action: 'delete', reason: 'PIPL request 2026-77', at: expect.any(Date) },
    ]);

    expect(['SESSION_REVOKED', 'UNAUTHORIZED']).toContain((await me(user)).body.code);
    expect((await refresh(user)).body.code).toBe('REFRESH_TOKEN_INVALID');
    const back = await login({ openid: user.openid });
    expect(back.isNewUser).toBe(true);
    expect(back.accountId).not.toBe(user.accountId);

    expect((await admin(['find', String(user.accountId)])).code).toBe(1);
  });
});

describe('the database', () => {
  it('is read from .env in the working directory when DATABASE_URL is not set', async () => {
    const user = await login();
    writeFileSync(join(workDir, '.env'), `DATABASE_URL=${stack.db.url}\n`);
    try {
      const run = await admin(['find', user.openid], { DATABASE_URL: '' });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`account ${user.accountId}`);
    } finally {
      rmSync(join(workDir, '.env'));
    }
  });

  it('away: one clear line within a few seconds, exit 1, no stack trace', async () => {
    for (const args of [
      ['find', '1'],
      ['disable', '1', '--reason', 'x'],
    ]) {
      const run = await admin(args, { DATABASE_URL: 'mysql://root:hunter2@127.0.0.1:1/wxauth' });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim()).toBe(
        'admin: cannot connect to the database at 127.0.0.1:1/wxauth: connection refused (is MySQL running and listening there?)',
      );
      expect(run.ms).toBeLessThan(6000);
    }
  });

  it('without the tables: exit 1 with a hint, no stack trace', async () => {
    // The server's own system database: it exists, and holds no table of ours.
    const bare = new URL(stack.db.url);
    bare.pathname = '/mysql';
    const run = await admin(['find', '1'], { DATABASE_URL: bare.href });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(
      `database error at ${bare.hostname}:${bare.port || 3306}/mysql: Table 'mysql.account' doesn't exist`,
    );
    expect(run.stderr).toContain('npm run db:migrate');
  });
});
