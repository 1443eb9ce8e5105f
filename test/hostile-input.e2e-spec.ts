/**
 * Hostile input on every route of the OpenAPI document the service serves: thousands of
 * generated requests (fixed seed, so a failure replays) with wrong types, missing and extra
 * fields, over-long and Unicode-edge strings, deep nesting, wrong shapes, malformed JSON,
 * wrong content types, 2 MB bodies, random bytes, weird queries and headers, forged tokens,
 * unknown methods and mangled paths. Each must get a 4xx in the contract's error shape with
 * a code the contract allows (or a valid 2xx where the input happens to be valid), never a
 * 5xx or a hang, and none may write a row it should not.
 */
import { DEV_APP_ID, DEV_APP_SECRET } from '../emulator/wechat-emulator';
import { CaseGenerator, FuzzCase, FuzzContext, Session } from './support/fuzz/cases';
import { FUZZ_APPS } from './support/fuzz/contract';
import { judge } from './support/fuzz/judge';
import { OpenApiDocument, Operation, operationsOf } from './support/fuzz/openapi';
import { Prng } from './support/fuzz/prng';
import { rawRequest } from './support/fuzz/raw-http';
import { claimsOf } from './support/fuzz/tokens';
import { call } from './support/http';
import { useTestStack } from './support/stack';

const SEED = 0x5eed2026;
const MIN_CASES = 2400;
const CONCURRENCY = 10;
const BATCH = 100;
const REQUEST_TIMEOUT_MS = 5000;
const JWT_SECRET = 'hostile-input-spec-jwt-secret-6c1d9e0f4a7b2358';

const APP_SECRET = (appId: string) => `${appId.slice(-2)}`.repeat(16);
/** Every configured app beyond the default mini-program, for WECHAT_APPS and the emulator. */
const APPS = Object.entries(FUZZ_APPS).flatMap(([type, ids]) =>
  ids
    .filter((appId) => appId !== DEV_APP_ID)
    .map((appId) => ({ appId, secret: APP_SECRET(appId), type })),
);

// Content check on, as in production: fuzzed nicknames also go through msg_sec_check.
const stack = useTestStack(
  {
    LOGIN_RATE_LIMIT: '1000000000',
    JWT_SECRET,
    WECHAT_APPS: JSON.stringify(APPS),
    CONTENT_CHECK: 'on',
  },
  {
    apps: [
      { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET },
      ...APPS.map(({ appId, secret, type }) => ({
        appId,
        appSecret: secret,
        type: type as 'miniprogram' | 'official_account' | 'website',
      })),
    ],
  },
);
let ctx: FuzzContext;
let cases: FuzzCase[];
let operations: Operation[];

const control = async (path: string, body: unknown) => {
  const result = await call(`${stack.emulator.url}/__emulator/${path}`, { body });
  if (result.status !== 200) throw new Error(`emulator ${path}: ${result.text}`);
  return result.body;
};

async function login(
  code: string,
  userInfo?: unknown,
): Promise<Session & { refreshToken: string }> {
  const result = await call(`${stack.service.url}/auth/wechat/login`, { body: { code, userInfo } });
  if (result.status !== 200) throw new Error(`login failed: ${result.text}`);
  const sessionId = claimsOf(result.body.accessToken).sid as string;
  return {
    token: result.body.accessToken,
    refreshToken: result.body.refreshToken,
    sessionId,
    userId: result.body.user.id,
  };
}

async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

beforeAll(async () => {
  const victimCode = await control('login-code', {});
  const victim = await login(victimCode.code, {
    nickName: 'Victim😀',
    avatarUrl: 'https://example.com/victim.png',
    gender: 2,
  });
  const phone = await control('phone-code', {
    openid: victimCode.openid,
    phoneNumber: '13912345678',
  });
  const bound = await call(`${stack.service.url}/users/me/phone`, {
    body: { code: phone.code },
    token: victim.token,
  });
  if (bound.status !== 200) throw new Error(`phone binding failed: ${bound.text}`);
  const guard = await login((await control('login-code', { openid: victimCode.openid })).code);
  const playground = await login((await control('login-code', {})).code);
  const throwawayUser = await control('login-code', {});
  const { codes } = await control('login-codes', { count: 300, openid: throwawayUser.openid });
  const throwaways: Session[] = [];
  await inParallel(codes as Array<{ code: string }>, 10, async ({ code }) => {
    throwaways.push(await login(code));
  });
  ctx = { jwtSecret: JWT_SECRET, victim, guard, playground, throwaways };

  const docs = await call<OpenApiDocument>(`${stack.service.url}/docs-json`);
  expect(docs.status).toBe(200);
  operations = operationsOf(docs.body);
  cases = new CaseGenerator(operations, ctx, new Prng(SEED)).generate(MIN_CASES);
}, 120_000);

interface DbState {
  counts: Record<string, number>;
  victim: unknown[];
  victimIdentities: unknown[];
  sessions: unknown[];
  refreshTokens: unknown[];
  playground: unknown[];
}

/**
 * What no hostile request may change: table sizes, the victim's account and identities, its
 * sessions and refresh tokens, and what a profile change may not touch of the playground's.
 */
async function databaseState(): Promise<DbState> {
  const [counts] = await stack.db.query<Record<string, number>>(
    `SELECT (SELECT COUNT(*) FROM account) AS account, (SELECT COUNT(*) FROM wx_user) AS wx_user,
       (SELECT COUNT(*) FROM auth_session) AS auth_session,
       (SELECT COUNT(*) FROM refresh_token) AS refresh_token, (SELECT COUNT(*) FROM login_log) AS login_log`,
  );
  return {
    counts,
    victim: await stack.db.query(
      `SELECT nickname, avatar_url, gender, phone, phone_country_code, status, login_count,
         last_login_at, last_login_ip, updated_at FROM account WHERE id = ?`,
      [ctx.victim.userId],
    ),
    victimIdentities: await stack.db.query(
      `SELECT id, app_id, openid, unionid, session_key_cipher, login_count, last_login_at, updated_at
         FROM wx_user WHERE account_id = ? ORDER BY id`,
      [ctx.victim.userId],
    ),
    sessions: await stack.db.query(
      `SELECT s.id, s.wx_user_id, s.token_hash, s.expires_at, s.revoked_at, s.revoke_reason,
         s.refreshed_at FROM auth_session s JOIN wx_user w ON w.id = s.wx_user_id
        WHERE w.account_id = ? ORDER BY s.id`,
      [ctx.victim.userId],
    ),
    refreshTokens: await stack.db.query(
      `SELECT t.id, t.token_hash, t.rotated_at, t.expires_at FROM refresh_token t
         JOIN auth_session s ON s.id = t.session_id JOIN wx_user w ON w.id = s.wx_user_id
        WHERE w.account_id = ? ORDER BY t.id`,
      [ctx.victim.userId],
    ),
    playground: await stack.db.query(
      `SELECT a.phone, a.status, a.login_count, w.account_id, w.session_key_cipher, w.last_login_at
         FROM account a JOIN wx_user w ON w.account_id = a.id WHERE a.id = ?`,
      [ctx.playground.userId],
    ),
  };
}

interface RunReport {
  failures: string[];
  tried: number;
  perOperation: Map<string, { cases: number; statuses: Map<number | string, number> }>;
  statuses: Map<number | string, number>;
  codes: Map<string, number>;
  snapshots: number;
  rowsChecked: number;
  ms: number;
}

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

/** Sends the cases in batches; after each batch the database must be as it was before all. */
async function runCases(selected: FuzzCase[]): Promise<RunReport> {
  const started = Date.now();
  const report: RunReport = {
    failures: [],
    tried: 0,
    perOperation: new Map(),
    statuses: new Map(),
    codes: new Map(),
    snapshots: 0,
    rowsChecked: 0,
    ms: 0,
  };
  const users = { ids: [ctx.victim.userId, ctx.playground.userId] };
  let previous = await databaseState();
  for (let start = 0; start < selected.length; start += BATCH) {
    const batch = selected.slice(start, start + BATCH);
    await inParallel(batch, CONCURRENCY, async (c) => {
      const outcome = await rawRequest(stack.service.url, c, REQUEST_TIMEOUT_MS);
      const status = outcome.kind === 'answer' ? outcome.status : outcome.kind;
      report.tried++;
      bump(report.statuses, status);
      const route = report.perOperation.get(c.operation) ?? { cases: 0, statuses: new Map() };
      route.cases++;
      bump(route.statuses, status);
      report.perOperation.set(c.operation, route);
      if (outcome.kind === 'answer' && outcome.status >= 400) {
        const code = (JSON.parse(outcome.text || '{}') as { code?: string }).code;
        if (code) bump(report.codes, code);
      }
      const problem = judge(c, outcome, users);
      if (problem) {
        report.failures.push(
          `#${c.id} ${c.method} ${c.path.slice(0, 80)} [${c.family}: ${c.label}] (auth ${c.auth}): ${problem}`,
        );
      }
    }).catch((error: unknown) => report.failures.push(`runner error: ${String(error)}`));
    const after = await databaseState();
    report.snapshots++;
    report.rowsChecked +=
      after.victim.length +
      after.victimIdentities.length +
      after.sessions.length +
      after.refreshTokens.length +
      after.playground.length;
    for (const part of Object.keys(previous) as Array<keyof DbState>) {
      if (JSON.stringify(after[part]) !== JSON.stringify(previous[part])) {
        report.failures.push(
          `cases #${batch[0].id}-#${batch[batch.length - 1].id} changed ${part}: ` +
            `${JSON.stringify(previous[part]).slice(0, 300)} → ${JSON.stringify(after[part]).slice(0, 300)}`,
        );
      }
    }
    previous = after;
  }
  report.ms = Date.now() - started;
  return report;
}

function summary(report: RunReport, counts: Record<string, number>): string {
  const sorted = <K>(map: Map<K, number>) =>
    [...map]
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([k, n]) => `${String(k)}:${n}`)
      .join(' ');
  const routes = [...report.perOperation]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, r]) => `  ${route}: ${r.cases} cases (${sorted(r.statuses)})`)
    .join('\n');
  return (
    `hostile input (seed 0x${SEED.toString(16)}): ${report.tried} cases tried in ${report.ms} ms, ` +
    `${report.failures.length} failures; statuses ${sorted(report.statuses)}; codes ${sorted(report.codes)}; ` +
    `${report.snapshots} database checks: 5 table counts (${sorted(new Map(Object.entries(counts)))}) ` +
    `and ${report.rowsChecked} rows (victim account and identities, its sessions and refresh tokens, playground account) compared, ` +
    `all unchanged unless listed\n${routes}\n`
  );
}

it('every documented route answers hostile input with a contract 4xx (or a valid 2xx), never a 5xx, a hang or a stray write', async () => {
  expect(cases.length).toBeGreaterThanOrEqual(2000);
  const targeted = new Set(cases.map((c) => c.operation));
  expect(targeted.size).toBe(operations.length);
  expect(targeted.size).toBeGreaterThanOrEqual(10);

  const report = await runCases(cases);
  const state = await databaseState();
  process.stdout.write(summary(report, state.counts));

  if (process.env.FUZZ_SHOW_ALL) process.stdout.write(`${report.failures.join('\n')}\n`);
  expect(report.failures.slice(0, 40)).toEqual([]);
  expect(report.tried).toBe(cases.length);
  for (const operation of targeted)
    expect(report.perOperation.get(operation)?.cases).toBeGreaterThan(20);

  // The victim's and the guard's sessions survived every logout attempt that had to fail.
  expect((await call(`${stack.service.url}/users/me`, { token: ctx.victim.token })).status).toBe(
    200,
  );
  expect((await call(`${stack.service.url}/users/me`, { token: ctx.guard.token })).status).toBe(
    200,
  );
  // What PATCHes did to the playground user is stored exactly as answered.
  const me = await call(`${stack.service.url}/users/me`, { token: ctx.playground.token });
  const [row] = await stack.db.query<{
    nickname: string | null;
    avatar_url: string | null;
    gender: number;
  }>('SELECT nickname, avatar_url, gender FROM account WHERE id = ?', [ctx.playground.userId]);
  expect({
    nickname: me.body.nickname,
    avatarUrl: me.body.avatarUrl,
    gender: me.body.gender,
  }).toEqual({
    nickname: row.nickname,
    avatarUrl: row.avatar_url,
    gender: row.gender,
  });
}, 240_000);

it('the generator is deterministic for its seed and sends lone surrogates as \\ud800 escapes', () => {
  const shape = (list: FuzzCase[]) =>
    list.map((c) => `${c.method} ${c.path} ${c.label} ${c.body?.length}`);
  const again = new CaseGenerator(operations, ctx, new Prng(SEED)).generate(MIN_CASES);
  expect(shape(again)).toEqual(shape(cases));
  const lone = cases.find((c) => c.label.endsWith('lone high surrogate'));
  expect(lone?.body?.toString('latin1')).toContain('a\\ud800b');
  const bytes = cases.find((c) => c.label.endsWith('invalid UTF-8 byte FF'));
  expect(bytes?.body?.includes(Buffer.from([0xff]))).toBe(true);
});
