/**
 * No secret in any response body, log line or database column. One service, logging
 * everything (trace), goes through the whole mini-program flow, the web login of an Official
 * Account page and a website, and every way they can fail: the demo, signed profiles good and
 * bad, refresh rotation and reuse, logout, linking, every WeChat fault the emulator can
 * inject, wrong app secrets, decryption and phone failures, and a database outage. Every
 * response body, log line and stored value is then searched for every secret in every
 * spelling: session keys (base64, hex, base64url), the app secrets, the JWT secret,
 * SESSION_KEY_SECRET, WeChat's access tokens, the user's web access and refresh tokens (which
 * only WeChat's answers to the service carry), and our refresh and access tokens anywhere but
 * the answer that issued them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { RunningEmulator, startWechatEmulator } from '../emulator/wechat-emulator';
import { runDemo } from '../scripts/demo';
import { createTestDatabase, TestDatabase } from './support/database';
import { call } from './support/http';
import { RunningService, startService } from './support/service';
import { TcpProxy } from './support/tcp-proxy';
import { clearFaults, injectFault } from './support/wechat';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const APP_ID = `wx${hex(8)}`;
const APP_SECRET = hex(16);
const WRONG_APP_SECRET = hex(16);
const OFFICIAL_ID = `wx${hex(8)}`;
const OFFICIAL_SECRET = hex(16);
const WRONG_OFFICIAL_SECRET = hex(16);
const WEBSITE_ID = `wx${hex(8)}`;
const WEBSITE_SECRET = hex(16);
const webApps = (officialSecret: string) =>
  JSON.stringify([
    { appId: OFFICIAL_ID, secret: officialSecret, type: 'official_account' },
    { appId: WEBSITE_ID, secret: WEBSITE_SECRET, type: 'website' },
  ]);
const JWT_SECRET = `jwt-secret-under-test-${hex(16)}`;
const SESSION_KEY_SECRET = hex(32);

const PHONE = '/wxa/business/getuserphonenumber';
const STABLE_TOKEN = '/cgi-bin/stable_token';
const JSCODE = '/sns/jscode2session';
const OAUTH_TOKEN = '/sns/oauth2/access_token';
const USERINFO = '/sns/userinfo';

interface Recorded {
  index: number;
  method: string;
  url: string;
  status: number;
  requestId: string | null;
  text: string;
}

interface Secret {
  name: string;
  value: string;
  /** The responses that may show it: those that issued the token (a login and a refresh in
   * the same second issue the same access token). */
  issuedBy?: Set<number>;
}

let db: TestDatabase;
let emulator: RunningEmulator;
let recorder: WechatRecorder;
let proxy: TcpProxy;
let service: RunningService;
const responses: Recorded[] = [];
const sessionKeys = new Set<string>();
const refreshTokens = new Map<string, Set<number>>();
const accessTokens = new Map<string, Set<number>>();
const wechatTokens = new Set<string>();
const webAccessTokens = new Set<string>();
const webRefreshTokens = new Set<string>();
const extraLogs: string[] = [];
const realFetch = globalThis.fetch;

/**
 * Every answer of the service is recorded, whoever asked (this file, the demo, the helpers);
 * every session key the emulator hands out (to this file or to the demo) is noted.
 */
function recordingFetch(serviceUrls: () => string[], emulatorUrl: string): typeof fetch {
  return async (input, init) => {
    const response = await realFetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(emulatorUrl)) {
      const text = await response.clone().text();
      for (const key of keysIn(parse(text))) sessionKeys.add(key);
      return response;
    }
    if (!serviceUrls().some((base) => url.startsWith(base))) return response;
    const text = await response.clone().text();
    const index = responses.length;
    responses.push({
      index,
      method: init?.method ?? 'GET',
      url,
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      text,
    });
    const body = parse(text) as { refreshToken?: unknown; accessToken?: unknown } | undefined;
    for (const [token, issued] of [
      [body?.refreshToken, refreshTokens],
      [body?.accessToken, accessTokens],
    ] as const) {
      if (typeof token === 'string') issued.set(token, (issued.get(token) ?? new Set()).add(index));
    }
    return response;
  };
}

interface WechatRecorder {
  url: string;
  close(): Promise<void>;
}

/**
 * Stands between the service and the emulator, passing everything through (faults included: a
 * dropped connection is dropped, a request the service gives up on is given up), and notes what
 * WeChat hands the service: the user's web tokens are seen nowhere else.
 */
async function startWechatRecorder(target: string): Promise<WechatRecorder> {
  const server = createServer((req, res) => {
    const sent: Buffer[] = [];
    req.on('data', (chunk: Buffer) => sent.push(chunk));
    req.on('end', () => {
      const upstream = httpRequest(
        `${target}${req.url}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          const received: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => received.push(chunk));
          answer.on('error', () => res.destroy());
          answer.on('end', () => {
            const body = Buffer.concat(received);
            noteWechatAnswer(new URL(req.url ?? '/', target).pathname, body.toString('utf8'));
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(body);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(Buffer.concat(sent));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The secrets in one of WeChat's answers to the service. */
function noteWechatAnswer(path: string, text: string): void {
  const body = parse(text) as Record<string, unknown> | undefined;
  if (!body) return;
  for (const key of keysIn(body)) sessionKeys.add(key);
  const { access_token: accessToken, refresh_token: refreshToken } = body;
  if (typeof accessToken === 'string') {
    (path === OAUTH_TOKEN ? webAccessTokens : wechatTokens).add(accessToken);
  }
  if (typeof refreshToken === 'string') webRefreshTokens.add(refreshToken);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const control = async (path: string, body: unknown) => {
  const result = await call(`${emulator.url}/__emulator/${path}`, { body });
  if (result.status !== 200) throw new Error(`emulator ${path}: ${result.text}`);
  return result.body;
};

async function mint(options: { openid?: string } = {}) {
  return (await control('login-code', options)) as {
    code: string;
    openid: string;
    sessionKey: string;
  };
}

async function noteWechatToken(): Promise<void> {
  const stats = (await call(`${emulator.url}/__emulator/stats`)).body;
  if (stats.currentStableToken) wechatTokens.add(stats.currentStableToken);
}

const api = (path: string) => `${service.url}${path}`;

async function login(body: Record<string, unknown>) {
  return call(api('/auth/wechat/login'), { body });
}

async function loggedIn() {
  const minted = await mint();
  const result = await login({ code: minted.code });
  expect(result.status).toBe(200);
  return { ...minted, token: result.body.accessToken, refresh: result.body.refreshToken };
}

/** Runs a request with one fault armed on a WeChat path, and answers the status. */
async function withFault(
  fault: Parameters<typeof injectFault>[1],
  request: () => Promise<{ status: number }>,
): Promise<number> {
  await injectFault(emulator.url, fault);
  try {
    return (await request()).status;
  } finally {
    await clearFaults(emulator.url);
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startWechatEmulator({
    port: 0,
    apps: [
      { appId: APP_ID, appSecret: APP_SECRET },
      { appId: OFFICIAL_ID, appSecret: OFFICIAL_SECRET, type: 'official_account' },
      { appId: WEBSITE_ID, appSecret: WEBSITE_SECRET, type: 'website' },
    ],
  });
  recorder = await startWechatRecorder(emulator.url);
  proxy = new TcpProxy(3306);
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.port = String(proxy.port);
  const env = {
    DATABASE_URL: viaProxy.toString(),
    WECHAT_API_BASE_URL: recorder.url,
    WECHAT_APP_ID: APP_ID,
    WECHAT_APP_SECRET: APP_SECRET,
    WECHAT_APPS: webApps(OFFICIAL_SECRET),
    WECHAT_TIMEOUT_MS: '1000',
    JWT_SECRET,
    SESSION_KEY_SECRET,
    LOGIN_RATE_LIMIT: '100000',
  };
  service = await startService(env, { captureLogs: true });
  const serviceUrls = [service.url];
  globalThis.fetch = recordingFetch(() => serviceUrls, emulator.url);

  // The demo, as a mini-program plays it.
  await runDemo({
    serviceUrl: service.url,
    emulatorUrl: emulator.url,
    appId: APP_ID,
    webAppId: OFFICIAL_ID,
    print: () => undefined,
  });
  await noteWechatToken();

  // Web login, as WeChat's OAuth redirect hands an Official Account page or a website a code.
  const webCode = async (appId: string, options: Record<string, unknown> = {}) =>
    (await control('oauth-code', { appId, ...options })) as { code: string; openid: string };
  const webLogin = async (appId: string, options: Record<string, unknown> = {}) =>
    call(api('/auth/wechat/oauth'), {
      body: { appId, code: (await webCode(appId, options)).code },
    });
  expect((await webLogin(OFFICIAL_ID, { scope: 'snsapi_base' })).status).toBe(200);
  // snsapi_userinfo: the service reads /sns/userinfo with the user's web access token.
  const profiled = await webLogin(OFFICIAL_ID, { scope: 'snsapi_userinfo', nickname: 'Web😀' });
  expect(profiled.body.user.nickname).toBe('Web😀');
  const qr = await webLogin(WEBSITE_ID, { scope: 'snsapi_login', unionid: `u${hex(8)}` });
  expect(qr.status).toBe(200);
  const webRotated = await call(api('/auth/refresh'), {
    body: { refreshToken: profiled.body.refreshToken },
  });
  expect(webRotated.status).toBe(200);
  expect(
    (await call(api('/auth/logout'), { method: 'POST', token: webRotated.body.accessToken }))
      .status,
  ).toBe(204);
  const usedWeb = await webCode(WEBSITE_ID, { scope: 'snsapi_login' });
  const webTwice = () =>
    call(api('/auth/wechat/oauth'), { body: { appId: WEBSITE_ID, code: usedWeb.code } });
  expect((await webTwice()).status).toBe(200);
  expect((await webTwice()).body.code).toBe('WECHAT_CODE_INVALID');
  const snapshot = await webLogin(OFFICIAL_ID, { scope: 'snsapi_base', snapshot: true });
  expect(snapshot.body.code).toBe('WECHAT_SNAPSHOT_USER');
  // A mini-program user links a website identity.
  const linker = await loggedIn();
  const linked = await call(api('/users/me/identities'), {
    body: { appId: WEBSITE_ID, code: (await webCode(WEBSITE_ID, { scope: 'snsapi_login' })).code },
    token: linker.token,
  });
  expect(linked.status).toBe(200);
  // Every fault on the code exchange, and on /sns/userinfo once the web tokens are in hand.
  const webProfileLogin = () => webLogin(OFFICIAL_ID, { scope: 'snsapi_userinfo' });
  for (const errcode of [40029, 40163, 41008, 40226, 45011, 40013, 40125, 41002, 40002, 99999]) {
    expect(
      await withFault({ path: OAUTH_TOKEN, type: 'errcode', errcode }, webProfileLogin),
    ).toBeGreaterThanOrEqual(400);
  }
  const outages = [
    { type: 'errcode', errcode: -1, times: 2 },
    { type: 'http500', times: 2 },
    { type: 'nonjson' },
    { type: 'html' },
    { type: 'drop', times: 2 },
    { type: 'delay', delayMs: 1500 },
  ] as const;
  for (const fault of outages) {
    expect(await withFault({ path: OAUTH_TOKEN, ...fault }, webProfileLogin)).toBe(503);
  }
  // The login does not depend on the profile: it goes on without it, the web token in hand.
  for (const fault of [
    ...outages,
    ...[40001, 42001, 40003, 48001, 99999].map((errcode) => ({
      type: 'errcode' as const,
      errcode,
    })),
  ]) {
    expect(await withFault({ path: USERINFO, ...fault }, webProfileLogin)).toBe(200);
  }

  // Signed profiles: a good signature and a bad one.
  const signed = await mint();
  const rawData = JSON.stringify({
    nickName: 'Signed😀',
    gender: 1,
    avatarUrl: 'https://example.com/s.png',
  });
  const signature = createHash('sha1')
    .update(rawData + signed.sessionKey)
    .digest('hex');
  expect((await login({ code: signed.code, rawData, signature })).status).toBe(200);
  const badSigned = await mint();
  const bad = await login({ code: badSigned.code, rawData, signature: 'a'.repeat(40) });
  expect(bad.body.code).toBe('WECHAT_SIGNATURE_INVALID');

  // Refresh rotation, reuse of a rotated token, the newest one afterwards, logout.
  const user = await loggedIn();
  const rotated = await call(api('/auth/refresh'), { body: { refreshToken: user.refresh } });
  expect(rotated.status).toBe(200);
  const reused = await call(api('/auth/refresh'), { body: { refreshToken: user.refresh } });
  expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
  const newest = await call(api('/auth/refresh'), {
    body: { refreshToken: rotated.body.refreshToken },
  });
  expect(newest.body.code).toBe('REFRESH_TOKEN_INVALID');
  const other = await loggedIn();
  expect((await call(api('/auth/logout'), { method: 'POST', token: other.token })).status).toBe(
    204,
  );
  expect((await call(api('/users/me'), { token: other.token })).body.code).toBe('SESSION_REVOKED');
  expect(
    (await call(api('/auth/refresh'), { body: { refreshToken: other.refresh } })).body.code,
  ).toBe('REFRESH_TOKEN_INVALID');

  // Every fault on jscode2session.
  const loginWith = async () => login({ code: (await mint()).code });
  for (const errcode of [
    40029, 40163, 41008, 40226, 45011, 40013, 40125, 41002, 41004, 40164, 40243, 40002, 99999,
  ]) {
    expect(
      await withFault({ path: JSCODE, type: 'errcode', errcode }, loginWith),
    ).toBeGreaterThanOrEqual(400);
  }
  for (const fault of [
    { type: 'errcode', errcode: -1, times: 2 },
    { type: 'http500', times: 2 },
    { type: 'nonjson' },
    { type: 'html' },
    { type: 'empty' },
    { type: 'drop', times: 2 },
    { type: 'delay', delayMs: 1500 },
  ] as const) {
    expect(await withFault({ path: JSCODE, ...fault }, loginWith)).toBe(503);
  }

  // Phone numbers: success, failures, and every fault on the phone route and on stable_token.
  const phoneUser = await loggedIn();
  const phoneCode = async () => (await control('phone-code', { openid: phoneUser.openid })).code;
  const bindPhone = async (code?: string) =>
    call(api('/users/me/phone'), {
      body: { code: code ?? (await phoneCode()) },
      token: phoneUser.token,
    });
  expect((await bindPhone()).status).toBe(200);
  await noteWechatToken();
  const used = await phoneCode();
  expect((await bindPhone(used)).status).toBe(200);
  expect((await bindPhone(used)).body.code).toBe('WECHAT_CODE_INVALID');
  expect((await bindPhone('no-such-code')).body.code).toBe('WECHAT_CODE_INVALID');
  for (const errcode of [40029, 45011, 40013, 40001, 42001, -1, 99999]) {
    expect(
      await withFault({ path: PHONE, type: 'errcode', errcode, times: 2 }, () => bindPhone()),
    ).toBeGreaterThanOrEqual(400);
    await noteWechatToken();
  }
  for (const fault of [
    { type: 'http500', times: 2 },
    { type: 'nonjson' },
    { type: 'drop', times: 2 },
    { type: 'delay', delayMs: 1500 },
  ] as const) {
    expect(await withFault({ path: PHONE, ...fault }, () => bindPhone())).toBe(503);
  }
  // A fault on the token fetch: the cached token is invalidated first, so it is fetched again.
  for (const fault of [
    { type: 'errcode', errcode: 40013 },
    { type: 'errcode', errcode: 40001 },
    { type: 'errcode', errcode: 45009 },
    { type: 'errcode', errcode: -1, times: 2 },
    { type: 'http500', times: 2 },
    { type: 'nonjson' },
    { type: 'drop', times: 2 },
    { type: 'delay', delayMs: 1500 },
  ] as const) {
    await control('access-token/invalidate', { as: 42001 });
    expect(
      await withFault({ path: STABLE_TOKEN, ...fault }, () => bindPhone()),
    ).toBeGreaterThanOrEqual(500);
  }
  expect((await bindPhone()).status).toBe(200);
  await noteWechatToken();

  // Decryption: the right key, a stale key, a foreign watermark, malformed input.
  const sealed = (await control('encrypt', {
    openid: phoneUser.openid,
    data: { secretish: 'x' },
  })) as { encryptedData: string; iv: string };
  const decrypt = (body: unknown) => call(api('/wechat/decrypt'), { body, token: phoneUser.token });
  expect((await decrypt(sealed)).status).toBe(200);
  const foreign = await control('encrypt', {
    openid: phoneUser.openid,
    data: { a: 1 },
    watermarkAppId: 'wx0000000000000000',
  });
  expect((await decrypt(foreign)).body.code).toBe('WECHAT_DECRYPT_FAILED');
  for (const body of [
    { ...sealed, iv: 'AAAA' },
    { ...sealed, encryptedData: '!!!!' },
    { ...sealed, encryptedData: sealed.encryptedData.slice(0, -8) },
    { encryptedData: sealed.encryptedData, iv: Buffer.alloc(16, 1).toString('base64') },
  ]) {
    expect((await decrypt(body)).body.code).toBe('WECHAT_DECRYPT_FAILED');
  }
  await mint({ openid: phoneUser.openid }); // wx.login() again: the stored key is now stale
  const stale = await control('encrypt', { openid: phoneUser.openid, data: { a: 2 } });
  expect((await decrypt(stale)).body.code).toBe('WECHAT_DECRYPT_FAILED');

  // The database goes away, and comes back.
  proxy.cut();
  expect((await call(api('/health/ready'))).status).toBe(503);
  expect((await login({ code: (await mint()).code })).status).toBe(503);
  expect((await call(api('/users/me'), { token: phoneUser.token })).status).toBe(503);
  expect(
    (await call(api('/auth/refresh'), { body: { refreshToken: phoneUser.refresh } })).status,
  ).toBe(503);
  proxy.restore();
  for (let i = 0; i < 50 && (await call(api('/health/ready'))).status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // Last (Passport keeps one 'jwt' strategy per process): an instance with a wrong app secret.
  const misconfigured = await startService(
    { ...env, WECHAT_APP_SECRET: WRONG_APP_SECRET, WECHAT_APPS: webApps(WRONG_OFFICIAL_SECRET) },
    { captureLogs: true },
  );
  serviceUrls.push(misconfigured.url);
  const wrong = await call(`${misconfigured.url}/auth/wechat/login`, {
    body: { code: (await mint()).code },
  });
  expect(wrong.body.code).toBe('WECHAT_MISCONFIGURED');
  await control('access-token/invalidate', { as: 42001 });
  const wrongPhone = await call(`${misconfigured.url}/users/me/phone`, {
    body: { code: await phoneCode() },
    token: phoneUser.token,
  });
  expect(wrongPhone.body.code).toBe('WECHAT_MISCONFIGURED');
  const wrongWeb = await call(`${misconfigured.url}/auth/wechat/oauth`, {
    body: { appId: OFFICIAL_ID, code: (await webCode(OFFICIAL_ID)).code },
  });
  expect(wrongWeb.body.code).toBe('WECHAT_MISCONFIGURED');
  extraLogs.push(...misconfigured.logs);
  await misconfigured.close();
}, 180_000);

afterAll(async () => {
  globalThis.fetch = realFetch;
  await service?.close();
  await proxy?.stop();
  await recorder?.close();
  await emulator?.close();
  await db?.drop();
});

/** Session keys anywhere in a JSON value (fields named session_key or sessionKey). */
function keysIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysIn);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) =>
    (name === 'sessionKey' || name === 'session_key') && typeof inner === 'string'
      ? [inner]
      : keysIn(inner),
  );
}

/** Every spelling a secret could leak in. */
function spellings(secret: Secret): Secret[] {
  const out = [secret];
  if (
    /^[A-Za-z0-9+/]+=*$/.test(secret.value) &&
    secret.value.length % 4 === 0 &&
    secret.name.startsWith('session key')
  ) {
    const bytes = Buffer.from(secret.value, 'base64');
    out.push({ ...secret, name: `${secret.name} (hex)`, value: bytes.toString('hex') });
    out.push({ ...secret, name: `${secret.name} (base64url)`, value: bytes.toString('base64url') });
  }
  if (secret.name === 'SESSION_KEY_SECRET') {
    out.push({
      ...secret,
      name: 'SESSION_KEY_SECRET (base64)',
      value: Buffer.from(secret.value, 'hex').toString('base64'),
    });
  }
  return out;
}

interface Leak {
  secret: string;
  where: string;
}

/** Searches response bodies and log lines; a token may show only in the answer that issued it. */
function scan(secrets: Secret[], bodies: Recorded[], logs: string[]): Leak[] {
  const leaks: Leak[] = [];
  const all = secrets.flatMap(spellings);
  for (const body of bodies) {
    for (const secret of all) {
      if (secret.issuedBy?.has(body.index)) continue;
      if (body.text.includes(secret.value)) {
        leaks.push({
          secret: secret.name,
          where: `response #${body.index} ${body.method} ${body.url} ${body.status}`,
        });
      }
    }
  }
  logs.forEach((line, i) => {
    for (const secret of all) {
      if (line.includes(secret.value))
        leaks.push({ secret: secret.name, where: `log line ${i}: ${line.slice(0, 160)}` });
    }
  });
  return leaks;
}

/** A column's value as text: strings as they are, bytes as UTF-8, the rest as JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** Every stored value, as `table.column` and its text, of every row of every table. */
async function storedValues(): Promise<Array<{ where: string; text: string }>> {
  const tables = await db.query<{ name: string }>(
    'SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
  );
  const values: Array<{ where: string; text: string }> = [];
  for (const { name } of tables) {
    for (const row of await db.query<Record<string, unknown>>(`SELECT * FROM \`${name}\``)) {
      for (const [column, value] of Object.entries(row)) {
        if (value !== null) values.push({ where: `${name}.${column}`, text: textOf(value) });
      }
    }
  }
  return values;
}

/** Searches stored values: no secret may be stored as it is, not even a token we issued. */
function scanStored(secrets: Secret[], values: Array<{ where: string; text: string }>): Leak[] {
  const all = secrets.flatMap(spellings);
  return values.flatMap(({ where, text }) =>
    all
      .filter((secret) => text.includes(secret.value))
      .map((secret) => ({ secret: secret.name, where })),
  );
}

function allSecrets(): Secret[] {
  return [
    { name: 'WECHAT_APP_SECRET', value: APP_SECRET },
    { name: 'the wrong WECHAT_APP_SECRET', value: WRONG_APP_SECRET },
    { name: 'the Official Account secret (WECHAT_APPS)', value: OFFICIAL_SECRET },
    { name: 'the wrong Official Account secret', value: WRONG_OFFICIAL_SECRET },
    { name: 'the website secret (WECHAT_APPS)', value: WEBSITE_SECRET },
    ...[...webAccessTokens].map((value, i) => ({ name: `WeChat web access token ${i}`, value })),
    ...[...webRefreshTokens].map((value, i) => ({ name: `WeChat web refresh token ${i}`, value })),
    { name: 'JWT_SECRET', value: JWT_SECRET },
    { name: 'SESSION_KEY_SECRET', value: SESSION_KEY_SECRET },
    ...[...sessionKeys].map((value, i) => ({ name: `session key ${i}`, value })),
    ...[...wechatTokens].map((value, i) => ({ name: `WeChat access token ${i}`, value })),
    ...[...refreshTokens].map(([value, issuedBy], i) => ({
      name: `refresh token ${i}`,
      value,
      issuedBy,
    })),
    ...[...accessTokens].map(([value, issuedBy], i) => ({
      name: `access token ${i}`,
      value,
      issuedBy,
    })),
  ];
}

const allLogs = () => [...service.logs, ...extraLogs];

it('the scanner finds a planted secret in each spelling, and a token shown twice (self-check)', () => {
  const key = [...sessionKeys][0];
  const hexKey = Buffer.from(key, 'base64').toString('hex');
  const fake = `{"level":30,"msg":"exchanged","detail":"${hexKey}"}`;
  expect(scan(allSecrets(), [], [fake]).map((leak) => leak.secret)).toContain(
    'session key 0 (hex)',
  );
  const [token, issuedBy] = [...refreshTokens][0];
  const issuing = responses[[...issuedBy][0]];
  expect(scan(allSecrets(), [issuing], [])).toEqual([]);
  const again = { ...issuing, index: responses.length };
  expect(scan(allSecrets(), [again], []).map((leak) => leak.secret)).toContain('refresh token 0');
  expect(scan([{ name: 'JWT_SECRET', value: JWT_SECRET }], [], [`x ${JWT_SECRET} y`])).toHaveLength(
    1,
  );
  expect(token.length).toBeGreaterThanOrEqual(43);
  const webToken = [...webRefreshTokens][0];
  expect(
    scanStored(allSecrets(), [{ where: 'auth_session.user_agent', text: `x${webToken}` }]),
  ).toEqual([{ secret: 'WeChat web refresh token 0', where: 'auth_session.user_agent' }]);
});

it('the flow covered what it claims', () => {
  const statuses = new Set(responses.map((r) => r.status));
  for (const status of [200, 204, 400, 401, 403, 429, 502, 503]) expect(statuses).toContain(status);
  const codes = new Set(
    responses.filter((r) => r.status >= 400).map((r) => JSON.parse(r.text).code),
  );
  for (const code of [
    'WECHAT_CODE_INVALID',
    'WECHAT_USER_BLOCKED',
    'WECHAT_RATE_LIMITED',
    'WECHAT_SIGNATURE_INVALID',
    'WECHAT_DECRYPT_FAILED',
    'WECHAT_MISCONFIGURED',
    'WECHAT_UNAVAILABLE',
    'SESSION_REVOKED',
    'REFRESH_TOKEN_INVALID',
    'REFRESH_TOKEN_REUSED',
    'DATABASE_UNAVAILABLE',
    'WECHAT_SNAPSHOT_USER',
  ]) {
    expect(codes).toContain(code);
  }
  expect(sessionKeys.size).toBeGreaterThanOrEqual(20);
  expect(refreshTokens.size).toBeGreaterThanOrEqual(6);
  expect(wechatTokens.size).toBeGreaterThanOrEqual(1);
  // Every web login that got past the code exchange: the demo's two, this file's, the faults'.
  expect(webAccessTokens.size).toBeGreaterThanOrEqual(15);
  expect(webRefreshTokens.size).toBe(webAccessTokens.size);
  const webLogins = responses.filter((r) => r.url.endsWith('/auth/wechat/oauth'));
  expect(webLogins.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(6);
  expect(allLogs().length).toBeGreaterThan(responses.length);
  // The error paths, where a secret would most likely slip out, did write their lines.
  const levels = new Set(allLogs().map((line) => (parse(line) as { level?: number })?.level));
  for (const level of [30, 40, 50]) expect(levels).toContain(level);
  if (process.env.SECRETS_DUMP_LOGS) process.stdout.write(`${allLogs().join('\n')}\n`);
});

it('no response body and no log line carries a secret', () => {
  const leaks = scan(allSecrets(), responses, allLogs());
  expect(leaks.slice(0, 20)).toEqual([]);
});

it('no database column holds a secret, a WeChat token or one of our tokens', async () => {
  const values = await storedValues();
  expect(values.some((v) => v.where === 'wx_user.session_key_cipher')).toBe(true);
  expect(values.some((v) => v.where === 'refresh_token.token_hash')).toBe(true);
  expect(scanStored(allSecrets(), values).slice(0, 20)).toEqual([]);
});

it('every log line is JSON, and each answer has its request line with its reqId', () => {
  const lines = allLogs().map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { unparsable: line };
    }
  });
  expect(lines.filter((line) => 'unparsable' in line)).toEqual([]);
  const requestLines = lines.filter((line) => line.msg === 'request');
  expect(
    requestLines.filter((line) => typeof line.reqId !== 'string' || line.reqId === ''),
  ).toEqual([]);
  const logged = new Set(requestLines.map((line) => line.reqId));
  const missing = responses.filter((r) => !r.requestId || !logged.has(r.requestId));
  expect(missing.map((r) => `${r.method} ${r.url} ${r.status} ${r.requestId}`)).toEqual([]);
});
