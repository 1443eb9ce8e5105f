/**
 * WeChat server emulator.
 *
 * Stands in for api.weixin.qq.com in tests and local development. It answers WeChat's routes
 * with WeChat's quirks (HTTP 200 for errors, text/plain on /sns, errmsg ending in a rid,
 * one stable token shared by every caller) and adds a control API under /__emulator to mint
 * login and phone codes, encrypt data the way WeChat does, inject faults and inspect state.
 * Node built-ins only, so it runs wherever the service's tests run.
 */
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { URL } from 'node:url';

export const DEV_APP_ID = 'wx1234567890abcdef';
export const DEV_APP_SECRET = '0123456789abcdef0123456789abcdef';

export interface EmulatorOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Mini-programs the emulator knows; the first one is the default for control routes. Default: the DEV pair. */
  apps?: Array<{ appId: string; appSecret: string }>;
  /** Lifetime of a stable access token. Default 7200. */
  stableTokenTtlSeconds?: number;
  /** Lifetime of login and phone codes. Default 300. */
  codeTtlSeconds?: number;
  /**
   * How long before a stable token's expiry stable_token starts handing out its successor
   * (both stay valid meanwhile). Default min(300, stableTokenTtlSeconds / 24): WeChat's
   * 5 minutes for the usual 7200 s, proportionally less for the short TTLs tests use.
   */
  stableTokenRefreshWindowSeconds?: number;
  /** One line per request on stdout (no query strings, so no secrets). Default: EMULATOR_LOG=1. */
  log?: boolean;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

type JsonObject = Record<string, unknown>;

interface User {
  openid: string;
  unionid: string | null;
  sessionKey: string;
}

interface StableToken {
  token: string;
  app: AppState;
  expiresAt: number;
  /** Errcode that API calls with this token get after force_refresh or the invalidate control route. */
  revokedAs: number | null;
}

interface AppState {
  appId: string;
  appSecret: string;
  /** Real openids of one app share their first characters; ours do too. */
  openidPrefix: string;
  users: Map<string, User>;
  currentToken: StableToken | null;
  /** The predecessor that stays valid during the overlap, kept so force_refresh can revoke it. */
  previousToken: StableToken | null;
  stableTokensIssued: number;
}

/** A login code remembers the user as of its minting: that is what jscode2session returns. */
interface LoginCode {
  app: AppState;
  openid: string;
  unionid: string | null;
  sessionKey: string;
  expiresAt: number;
  used: boolean;
}

interface PhoneCode {
  app: AppState;
  /** null: minted without an openid, so any openid (or none) in the exchange is accepted. */
  openid: string | null;
  purePhoneNumber: string;
  countryCode: string;
  expiresAt: number;
}

const FAULT_TYPES = ['errcode', 'http500', 'delay', 'nonjson', 'html', 'drop', 'empty'] as const;
type FaultType = (typeof FAULT_TYPES)[number];

interface Fault {
  id: string;
  type: FaultType;
  errcode: number;
  errmsg: string | undefined;
  delayMs: number;
  /** Calls still to be affected; Infinity until the faults are cleared. */
  remaining: number;
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  /** Extra words for the request log line, e.g. the errcode. */
  logNote?: string;
}

interface WechatRoute {
  method: 'GET' | 'POST';
  contentType: string;
  handle(query: URLSearchParams, body: string): JsonObject;
}

type ControlHandler = (body: JsonObject, query: URLSearchParams) => JsonObject;

/** Field values given to the login-code control routes. */
interface UserSpec {
  openid: string | undefined;
  unionid: string | null | undefined;
  sessionKey: string | undefined;
}

interface MintedLoginCode {
  code: string;
  openid: string;
  unionid: string | null;
  sessionKey: string;
  appId: string;
}

const CONTROL_PREFIX = '/__emulator/';
// WeChat says text/plain on /sns although the body is JSON, and this exact header elsewhere.
const SNS_CONTENT_TYPE = 'text/plain';
const WECHAT_JSON_CONTENT_TYPE = 'application/json; encoding=utf-8';
const CONTROL_CONTENT_TYPE = 'application/json; charset=utf-8';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_BULK_CODES = 100_000;
const MAX_DELAY_MS = 600_000;
const DEFAULT_DELAY_MS = 1000;
const SWEEP_INTERVAL_MS = 60_000;
/** Expired tokens are remembered this long so callers get 42001 (expired) rather than 40001 (unknown). */
const EXPIRED_TOKEN_MEMORY_MS = 24 * 3600 * 1000;
const INVALIDATION_ERRCODES = [40001, 40014, 42001];

/** Partial: an errcode without an entry (e.g. one a fault invents) gets a generic text. */
const ERRMSG: Readonly<Partial<Record<number, string>>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip, not in whitelist',
  40226: 'code blocked',
  40243: 'AppSecret已被冻结，请登录小程序平台解冻后再次调用',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  47001: 'data format error',
  87008: 'invalid sig_method',
  87009: 'invalid signature',
};

const GATEWAY_500_PAGE =
  '<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n' +
  '<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const GATEWAY_HTML_PAGE =
  '<!DOCTYPE html><html><head><meta charset="utf-8"><title>System busy</title></head>' +
  '<body><p>The system is busy, please try again later.</p></body></html>';
const NON_JSON_BODY = 'system busy, please try again later';

// ---------------------------------------------------------------------------------------------
// Random identifiers shaped like WeChat's

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const URL_SAFE = `${ALNUM}-_`;

/**
 * Bulk minting makes thousands of identifiers per request; drawing them from a refilled pool
 * costs one crypto call per 4 KiB instead of one per identifier.
 */
class RandomPool {
  private pool: Buffer = Buffer.alloc(0);
  private offset = 0;

  take(length: number): Buffer {
    if (this.offset + length > this.pool.length) {
      this.pool = randomBytes(Math.max(4096, length));
      this.offset = 0;
    }
    const bytes = this.pool.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }
}

const random = new RandomPool();

/** Modulo bias over a 62-character alphabet does not matter for an emulator. */
function randomString(alphabet: string, length: number): string {
  let text = '';
  for (const byte of random.take(length)) text += alphabet.charAt(byte % alphabet.length);
  return text;
}

const newLoginCode = (): string => randomString(ALNUM, 32);
const newSessionKey = (): string => random.take(16).toString('base64');
const newPhoneCode = (): string => random.take(32).toString('hex');
/** 136 characters, like the stable tokens WeChat hands out. */
const newAccessToken = (): string => `86_${randomString(URL_SAFE, 133)}`;

function openidPrefixFor(appId: string): string {
  return `o${createHash('sha256').update(appId).digest('base64url').slice(0, 5)}`;
}

/** WeChat's request id: the unix time in hex, then two random hex groups. */
function requestId(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  const hex = random.take(8).toString('hex');
  return `${seconds}-${hex.slice(0, 8)}-${hex.slice(8)}`;
}

function checkSessionSignature(sessionKey: string): string {
  return createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update('').digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Small HTTP helpers

/** A refused request (bad control call, oversized body) that becomes a JSON `{error}` answer. */
class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function jsonReply(status: number, body: JsonObject): Reply {
  return { status, contentType: CONTROL_CONTENT_TYPE, body: JSON.stringify(body) };
}

function wechatReply(route: WechatRoute, body: JsonObject): Reply {
  const errcode = body['errcode'];
  return {
    status: 200,
    contentType: route.contentType,
    body: JSON.stringify(body),
    logNote: typeof errcode === 'number' && errcode !== 0 ? `errcode=${errcode}` : undefined,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, 'body too large'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function parseJsonObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves after `ms`, or earlier when the client goes away (no timer outlives a closed server). */
function waitUnlessClosed(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      res.off('close', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    res.on('close', finish);
  });
}

/** What a fault does to one call: a canned reply, a dropped socket, or a normal answer after a pause. */
type FaultEffect =
  { kind: 'reply'; reply: Reply } | { kind: 'drop' } | { kind: 'delay'; ms: number };

function faultEffect(fault: Fault, route: WechatRoute, nowMs: number): FaultEffect {
  const canned = (status: number, contentType: string, body: string): FaultEffect => ({
    kind: 'reply',
    reply: { status, contentType, body, logNote: `fault=${fault.type}` },
  });
  switch (fault.type) {
    case 'errcode': {
      const errmsg = `${fault.errmsg ?? ERRMSG[fault.errcode] ?? 'emulated error'}, rid: ${requestId(nowMs)}`;
      return canned(200, route.contentType, JSON.stringify({ errcode: fault.errcode, errmsg }));
    }
    case 'http500':
      return canned(500, 'text/html', GATEWAY_500_PAGE);
    case 'nonjson':
      return canned(200, 'text/plain', NON_JSON_BODY);
    case 'html':
      return canned(200, 'text/html; charset=utf-8', GATEWAY_HTML_PAGE);
    case 'empty':
      return canned(200, route.contentType, '');
    case 'drop':
      return { kind: 'drop' };
    case 'delay':
      return { kind: 'delay', ms: fault.delayMs };
  }
}

// ---------------------------------------------------------------------------------------------
// Control-route field parsing: strict, so a typo in a test's request fails loudly.

function allowOnly(body: JsonObject, fields: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) throw new HttpError(400, `unknown field "${key}"`);
  }
}

function stringField(body: JsonObject, key: string, maxLength = 256): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new HttpError(400, `"${key}" must be a string of 1-${maxLength} characters`);
  }
  return value;
}

function digitsField(body: JsonObject, key: string, maxLength: number, fallback: string): string {
  const value = stringField(body, key, maxLength) ?? fallback;
  if (!/^[0-9]+$/.test(value)) throw new HttpError(400, `"${key}" must be a string of digits`);
  return value;
}

function integerField(body: JsonObject, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HttpError(400, `"${key}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

function booleanField(body: JsonObject, key: string): boolean {
  const value = body[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new HttpError(400, `"${key}" must be a boolean`);
  return value;
}

function userSpec(body: JsonObject): UserSpec {
  return {
    openid: stringField(body, 'openid', 128),
    unionid: body['unionid'] === null ? null : stringField(body, 'unionid', 128),
    sessionKey: stringField(body, 'sessionKey'),
  };
}

// ---------------------------------------------------------------------------------------------
// Configuration

interface Config {
  apps: Array<{ appId: string; appSecret: string }>;
  stableTokenTtlMs: number;
  refreshWindowMs: number;
  codeTtlMs: number;
  log: boolean;
}

function positiveSeconds(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function resolveConfig(options: EmulatorOptions): Config {
  const apps = options.apps ?? [{ appId: DEV_APP_ID, appSecret: DEV_APP_SECRET }];
  if (apps.length === 0) throw new Error('the emulator needs at least one app');
  if (new Set(apps.map((app) => app.appId)).size !== apps.length) {
    throw new Error('appIds must be unique');
  }
  if (apps.some((app) => app.appId === '' || app.appSecret === '')) {
    throw new Error('appId and appSecret must not be empty');
  }
  const ttl = positiveSeconds(options.stableTokenTtlSeconds ?? 7200, 'stableTokenTtlSeconds');
  const window = options.stableTokenRefreshWindowSeconds ?? Math.min(300, ttl / 24);
  if (!Number.isFinite(window) || window < 0 || window >= ttl) {
    throw new Error(
      'stableTokenRefreshWindowSeconds must be at least 0 and less than stableTokenTtlSeconds',
    );
  }
  return {
    apps,
    stableTokenTtlMs: ttl * 1000,
    refreshWindowMs: window * 1000,
    codeTtlMs: positiveSeconds(options.codeTtlSeconds ?? 300, 'codeTtlSeconds') * 1000,
    log: options.log ?? process.env['EMULATOR_LOG'] === '1',
  };
}

// ---------------------------------------------------------------------------------------------
// The emulator's state and routes

class WechatEmulator {
  private readonly config: Config;
  private readonly apps = new Map<string, AppState>();
  private readonly defaultApp: AppState;
  // Codes and tokens are looked up by value, so every request is a map lookup, never a scan.
  private readonly loginCodes = new Map<string, LoginCode>();
  private readonly phoneCodes = new Map<string, PhoneCode>();
  private readonly tokens = new Map<string, StableToken>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly calls = new Map<string, number>();
  private nextFaultId = 1;
  /** Moved forward by the advance-clock control route so tests need not wait for expiries. */
  private clockOffsetMs = 0;
  private readonly wechatRoutes: ReadonlyMap<string, WechatRoute>;
  private readonly controlRoutes: ReadonlyMap<string, ControlHandler>;

  constructor(config: Config) {
    this.config = config;
    for (const { appId, appSecret } of config.apps) {
      this.apps.set(appId, {
        appId,
        appSecret,
        openidPrefix: openidPrefixFor(appId),
        users: new Map(),
        currentToken: null,
        previousToken: null,
        stableTokensIssued: 0,
      });
    }
    // resolveConfig guarantees at least one app; the first is the control routes' default.
    const first = this.apps.values().next().value;
    if (first === undefined) throw new Error('the emulator needs at least one app');
    this.defaultApp = first;
    this.wechatRoutes = this.buildWechatRoutes();
    this.controlRoutes = this.buildControlRoutes();
  }

  private buildWechatRoutes(): Map<string, WechatRoute> {
    const json = WECHAT_JSON_CONTENT_TYPE;
    return new Map<string, WechatRoute>([
      [
        '/sns/jscode2session',
        { method: 'GET', contentType: SNS_CONTENT_TYPE, handle: (q) => this.jscode2session(q) },
      ],
      [
        '/cgi-bin/stable_token',
        { method: 'POST', contentType: json, handle: (_q, body) => this.stableToken(body) },
      ],
      [
        '/wxa/business/getuserphonenumber',
        { method: 'POST', contentType: json, handle: (q, body) => this.phoneNumber(q, body) },
      ],
      [
        '/wxa/checksession',
        { method: 'GET', contentType: json, handle: (q) => this.checkSession(q) },
      ],
      [
        '/wxa/resetusersessionkey',
        { method: 'GET', contentType: json, handle: (q) => this.resetSessionKey(q) },
      ],
    ]);
  }

  private buildControlRoutes(): Map<string, ControlHandler> {
    const p = CONTROL_PREFIX;
    return new Map<string, ControlHandler>([
      [`GET ${p}health`, () => ({ ok: true })],
      [`POST ${p}login-code`, (body) => this.controlLoginCode(body)],
      [`POST ${p}login-codes`, (body) => this.controlLoginCodes(body)],
      [`POST ${p}phone-code`, (body) => this.controlPhoneCode(body)],
      [`POST ${p}encrypt`, (body) => this.controlEncrypt(body)],
      [`POST ${p}faults`, (body) => this.controlAddFault(body)],
      [`DELETE ${p}faults`, () => this.controlClearFaults()],
      [`POST ${p}access-token/invalidate`, (body) => this.controlInvalidateTokens(body)],
      [`GET ${p}stats`, (_body, query) => this.controlStats(query)],
      [`POST ${p}reset`, () => this.controlReset()],
      [`POST ${p}advance-clock`, (body) => this.controlAdvanceClock(body)],
    ]);
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private appById(appId: string | undefined): AppState {
    if (appId === undefined) return this.defaultApp;
    const app = this.apps.get(appId);
    if (app === undefined) throw new HttpError(400, `unknown appId "${appId}"`);
    return app;
  }

  private wechatError(errcode: number): JsonObject {
    return { errcode, errmsg: `${ERRMSG[errcode] ?? 'error'}, rid: ${requestId(this.now())}` };
  }

  /** The phone API words 40029 its own way: `invalid code hint: [...] rid: ...`. */
  private invalidPhoneCode(): JsonObject {
    const hint = randomString(ALNUM, 14);
    return { errcode: 40029, errmsg: `invalid code hint: [${hint}] rid: ${requestId(this.now())}` };
  }

  // -- request dispatch ------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    let reply: Reply | 'dropped';
    try {
      reply = await this.respond(method, url, req, res);
    } catch (error) {
      if (!(error instanceof HttpError)) console.error('wechat-emulator: internal error', error);
      reply =
        error instanceof HttpError
          ? jsonReply(error.status, { error: error.message })
          : jsonReply(500, { error: 'internal emulator error' });
    }
    if (reply !== 'dropped' && !res.destroyed) {
      res.writeHead(reply.status, {
        'Content-Type': reply.contentType,
        'Content-Length': Buffer.byteLength(reply.body),
      });
      res.end(reply.body);
    }
    if (this.config.log) {
      const outcome =
        reply === 'dropped'
          ? 'dropped'
          : `${reply.status}${reply.logNote ? ` ${reply.logNote}` : ''}`;
      console.log(
        `wechat-emulator: ${method} ${url.pathname} ${outcome} ${Date.now() - startedAt}ms`,
      );
    }
  }

  private async respond(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Reply | 'dropped'> {
    const body = await readBody(req);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return this.control(method, url, body);
    const route = this.wechatRoutes.get(url.pathname);
    if (route === undefined) return jsonReply(404, { error: 'no such route', path: url.pathname });

    this.calls.set(url.pathname, (this.calls.get(url.pathname) ?? 0) + 1);
    const fault = this.takeFault(url.pathname);
    const effect = fault === undefined ? undefined : faultEffect(fault, route, this.now());
    if (effect?.kind === 'drop') {
      req.socket.destroy();
      return 'dropped';
    }
    if (effect?.kind === 'reply') return effect.reply;

    // A delayed call is processed on arrival, as WeChat would: a client that gives up waiting
    // has still spent its code.
    const answer =
      method === route.method
        ? route.handle(url.searchParams, body)
        : this.wechatError(route.method === 'GET' ? 43001 : 43002);
    if (effect?.kind === 'delay') await waitUnlessClosed(effect.ms, res);
    return wechatReply(route, answer);
  }

  private control(method: string, url: URL, rawBody: string): Reply {
    const handler = this.controlRoutes.get(`${method} ${url.pathname}`);
    if (handler === undefined) {
      throw new HttpError(404, `no emulator control route ${method} ${url.pathname}`);
    }
    const body = rawBody.trim() === '' ? {} : parseJsonObject(rawBody);
    if (body === null) throw new HttpError(400, 'the body must be a JSON object');
    return jsonReply(200, handler(body, url.searchParams));
  }

  /** Faults on a path apply in the order they were added, each to its number of calls. */
  private takeFault(path: string): Fault | undefined {
    const queue = this.faults.get(path);
    const fault = queue?.[0];
    if (queue === undefined || fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      queue.shift();
      if (queue.length === 0) this.faults.delete(path);
    }
    return fault;
  }

  // -- WeChat: login ---------------------------------------------------------------------------

  private jscode2session(query: URLSearchParams): JsonObject {
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get('js_code');
    const grantType = query.get('grant_type');
    if (!appid) return this.wechatError(41002);
    if (!secret) return this.wechatError(41004);
    if (!jsCode) return this.wechatError(41008);
    const app = this.apps.get(appid);
    if (app === undefined) return this.wechatError(40013);
    if (secret !== app.appSecret) return this.wechatError(40125);
    if (grantType !== null && grantType !== 'authorization_code') return this.wechatError(40002);

    const code = this.loginCodes.get(jsCode);
    if (code === undefined || code.app !== app) return this.wechatError(40029);
    if (code.used) return this.wechatError(40163);
    if (code.expiresAt <= this.now()) return this.wechatError(40029);
    code.used = true;
    // Real success bodies carry no errcode, and unionid only when the user has one.
    const session: JsonObject = { session_key: code.sessionKey, openid: code.openid };
    if (code.unionid !== null) session['unionid'] = code.unionid;
    return session;
  }

  // -- WeChat: access tokens -------------------------------------------------------------------

  private stableToken(rawBody: string): JsonObject {
    const body = parseJsonObject(rawBody);
    if (body === null) return this.wechatError(47001);
    const appid = body['appid'];
    const secret = body['secret'];
    if (typeof appid !== 'string' || appid === '') return this.wechatError(41002);
    if (typeof secret !== 'string' || secret === '') return this.wechatError(41004);
    if (body['grant_type'] !== 'client_credential') return this.wechatError(40002);
    const app = this.apps.get(appid);
    if (app === undefined) return this.wechatError(40013);
    if (secret !== app.appSecret) return this.wechatError(40001);

    const now = this.now();
    if (body['force_refresh'] === true) this.revokeTokens(app, 40001);
    const current = app.currentToken;
    // Every caller shares the current token until its last refresh window; then a successor is
    // issued and the old token keeps working until its own expiry.
    const token =
      current !== null &&
      current.revokedAs === null &&
      current.expiresAt - now > this.config.refreshWindowMs
        ? current
        : this.issueToken(app, now);
    return { access_token: token.token, expires_in: Math.floor((token.expiresAt - now) / 1000) };
  }

  private issueToken(app: AppState, now: number): StableToken {
    const token: StableToken = {
      token: newAccessToken(),
      app,
      expiresAt: now + this.config.stableTokenTtlMs,
      revokedAs: null,
    };
    this.tokens.set(token.token, token);
    app.previousToken = app.currentToken;
    app.currentToken = token;
    app.stableTokensIssued += 1;
    return token;
  }

  /** Makes the app's live tokens fail with `errcode`; the next stable_token call issues a new one. */
  private revokeTokens(app: AppState, errcode: number): number {
    let revoked = 0;
    for (const token of [app.currentToken, app.previousToken]) {
      if (token !== null && token.revokedAs === null) {
        token.revokedAs = errcode;
        revoked += 1;
      }
    }
    app.currentToken = null;
    app.previousToken = null;
    return revoked;
  }

  /** The app whose token the call carries, or WeChat's answer for a bad token. */
  private authenticate(query: URLSearchParams): { app: AppState } | { error: JsonObject } {
    const value = query.get('access_token');
    if (!value) return { error: this.wechatError(41001) };
    const token = this.tokens.get(value);
    if (token === undefined) return { error: this.wechatError(40001) };
    if (token.revokedAs !== null) return { error: this.wechatError(token.revokedAs) };
    if (token.expiresAt <= this.now()) return { error: this.wechatError(42001) };
    return { app: token.app };
  }

  // -- WeChat: phone number --------------------------------------------------------------------

  private phoneNumber(query: URLSearchParams, rawBody: string): JsonObject {
    const auth = this.authenticate(query);
    if ('error' in auth) return auth.error;
    const body = parseJsonObject(rawBody);
    if (body === null) return this.wechatError(47001);
    const codeValue = body['code'];
    const openid = body['openid'];
    if (openid !== undefined && typeof openid !== 'string') return this.wechatError(47001);
    const now = this.now();
    const code = typeof codeValue === 'string' ? this.phoneCodes.get(codeValue) : undefined;
    if (typeof codeValue !== 'string' || code === undefined || code.expiresAt <= now) {
      return this.invalidPhoneCode();
    }
    // A code of another app, or for another user, is refused without being spent.
    if (code.app !== auth.app) return this.wechatError(40013);
    if (openid && code.openid !== null && openid !== code.openid) return this.invalidPhoneCode();
    this.phoneCodes.delete(codeValue);
    return {
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        // WeChat gives mainland numbers bare and others with their country code.
        phoneNumber:
          code.countryCode === '86'
            ? code.purePhoneNumber
            : `+${code.countryCode}${code.purePhoneNumber}`,
        purePhoneNumber: code.purePhoneNumber,
        countryCode: code.countryCode,
        watermark: { timestamp: Math.floor(now / 1000), appid: auth.app.appId },
      },
    };
  }

  // -- WeChat: session key check and reset -----------------------------------------------------

  /** The user whose current session key signed the call, or WeChat's answer for why not. */
  private signedUser(query: URLSearchParams): { user: User } | { error: JsonObject } {
    const auth = this.authenticate(query);
    if ('error' in auth) return auth;
    if (query.get('sig_method') !== 'hmac_sha256') return { error: this.wechatError(87008) };
    const user = auth.app.users.get(query.get('openid') ?? '');
    if (user === undefined) return { error: this.wechatError(40003) };
    if (query.get('signature') !== checkSessionSignature(user.sessionKey)) {
      return { error: this.wechatError(87009) };
    }
    return { user };
  }

  private checkSession(query: URLSearchParams): JsonObject {
    const signed = this.signedUser(query);
    return 'error' in signed ? signed.error : { errcode: 0, errmsg: 'ok' };
  }

  private resetSessionKey(query: URLSearchParams): JsonObject {
    const signed = this.signedUser(query);
    if ('error' in signed) return signed.error;
    signed.user.sessionKey = newSessionKey();
    return {
      errcode: 0,
      errmsg: 'ok',
      openid: signed.user.openid,
      session_key: signed.user.sessionKey,
    };
  }

  // -- control: users and codes ----------------------------------------------------------------

  /** Each user has one valid session key: minting a code for a known openid replaces it. */
  private upsertUser(app: AppState, spec: UserSpec): User {
    const sessionKey = spec.sessionKey ?? newSessionKey();
    const existing = spec.openid === undefined ? undefined : app.users.get(spec.openid);
    if (existing !== undefined) {
      existing.sessionKey = sessionKey;
      if (spec.unionid !== undefined) existing.unionid = spec.unionid;
      return existing;
    }
    const user: User = {
      openid: spec.openid ?? `${app.openidPrefix}${randomString(URL_SAFE, 22)}`,
      unionid: spec.unionid ?? null,
      sessionKey,
    };
    app.users.set(user.openid, user);
    return user;
  }

  private mintLoginCode(app: AppState, spec: UserSpec, now: number): MintedLoginCode {
    const user = this.upsertUser(app, spec);
    const code = newLoginCode();
    const { openid, unionid, sessionKey } = user;
    this.loginCodes.set(code, {
      app,
      openid,
      unionid,
      sessionKey,
      expiresAt: now + this.config.codeTtlMs,
      used: false,
    });
    return { code, openid, unionid, sessionKey, appId: app.appId };
  }

  private controlLoginCode(body: JsonObject): JsonObject {
    allowOnly(body, ['appId', 'openid', 'unionid', 'sessionKey']);
    const app = this.appById(stringField(body, 'appId'));
    return { ...this.mintLoginCode(app, userSpec(body), this.now()) };
  }

  private controlLoginCodes(body: JsonObject): JsonObject {
    allowOnly(body, ['count', 'appId', 'openid', 'unionid', 'sessionKey']);
    const count = integerField(body, 'count', 1, MAX_BULK_CODES);
    if (count === undefined) throw new HttpError(400, '"count" is required');
    const app = this.appById(stringField(body, 'appId'));
    const spec = userSpec(body);
    const now = this.now();
    return { codes: Array.from({ length: count }, () => this.mintLoginCode(app, spec, now)) };
  }

  private controlPhoneCode(body: JsonObject): JsonObject {
    allowOnly(body, ['appId', 'openid', 'phoneNumber', 'countryCode']);
    const app = this.appById(stringField(body, 'appId'));
    const code = newPhoneCode();
    this.phoneCodes.set(code, {
      app,
      openid: stringField(body, 'openid', 128) ?? null,
      purePhoneNumber: digitsField(body, 'phoneNumber', 20, '13800138000'),
      countryCode: digitsField(body, 'countryCode', 4, '86'),
      expiresAt: this.now() + this.config.codeTtlMs,
    });
    return { code };
  }

  /** Encrypts `data` exactly as WeChat encrypts what wx.getPhoneNumber & co. hand the client. */
  private controlEncrypt(body: JsonObject): JsonObject {
    allowOnly(body, ['appId', 'openid', 'data', 'watermarkAppId']);
    const app = this.appById(stringField(body, 'appId'));
    const openid = stringField(body, 'openid', 128);
    if (openid === undefined) throw new HttpError(400, '"openid" is required');
    const user = app.users.get(openid);
    if (user === undefined) {
      throw new HttpError(400, `unknown openid "${openid}" for app ${app.appId}`);
    }
    const data = body['data'];
    if (!isJsonObject(data)) throw new HttpError(400, '"data" must be a JSON object');
    const key = Buffer.from(user.sessionKey, 'base64');
    if (key.length !== 16 || key.toString('base64') !== user.sessionKey) {
      throw new HttpError(
        400,
        "the user's session key is not base64 of 16 bytes, so it cannot encrypt",
      );
    }
    const watermark = {
      appid: stringField(body, 'watermarkAppId') ?? app.appId,
      timestamp: Math.floor(this.now() / 1000),
    };
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', key, iv);
    const plaintext = JSON.stringify({ ...data, watermark });
    const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
  }

  // -- control: faults, tokens, clock, stats ---------------------------------------------------

  private controlAddFault(body: JsonObject): JsonObject {
    allowOnly(body, ['path', 'type', 'errcode', 'errmsg', 'times', 'always', 'delayMs']);
    const path = stringField(body, 'path');
    if (path === undefined || !this.wechatRoutes.has(path)) {
      throw new HttpError(400, `"path" must be one of ${[...this.wechatRoutes.keys()].join(', ')}`);
    }
    const type = FAULT_TYPES.find((candidate) => candidate === body['type']);
    if (type === undefined) {
      throw new HttpError(400, `"type" must be one of ${FAULT_TYPES.join(', ')}`);
    }
    const times = integerField(body, 'times', 0, Number.MAX_SAFE_INTEGER) ?? 1;
    const fault: Fault = {
      id: `fault-${this.nextFaultId++}`,
      type,
      errcode: integerField(body, 'errcode', -1_000_000, 1_000_000) ?? -1,
      errmsg: stringField(body, 'errmsg', 1024),
      delayMs: integerField(body, 'delayMs', 0, MAX_DELAY_MS) ?? DEFAULT_DELAY_MS,
      // times 0, or always:true, keeps the fault until the faults are cleared.
      remaining: booleanField(body, 'always') || times === 0 ? Infinity : times,
    };
    const queue = this.faults.get(path);
    if (queue === undefined) this.faults.set(path, [fault]);
    else queue.push(fault);
    return { id: fault.id };
  }

  private controlClearFaults(): JsonObject {
    this.faults.clear();
    return { ok: true };
  }

  private controlInvalidateTokens(body: JsonObject): JsonObject {
    allowOnly(body, ['appId', 'as']);
    const app = this.appById(stringField(body, 'appId'));
    const errcode = body['as'] ?? 42001;
    if (typeof errcode !== 'number' || !INVALIDATION_ERRCODES.includes(errcode)) {
      throw new HttpError(400, `"as" must be one of ${INVALIDATION_ERRCODES.join(', ')}`);
    }
    return { invalidated: this.revokeTokens(app, errcode) };
  }

  private controlAdvanceClock(body: JsonObject): JsonObject {
    allowOnly(body, ['seconds']);
    const seconds = body['seconds'];
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new HttpError(400, '"seconds" must be a number of at least 0');
    }
    this.clockOffsetMs += seconds * 1000;
    return { now: Math.floor(this.now() / 1000) };
  }

  private appStats(app: AppState): JsonObject {
    const token = app.currentToken;
    const live = token !== null && token.revokedAs === null && token.expiresAt > this.now();
    return {
      stableTokensIssued: app.stableTokensIssued,
      currentStableToken: live ? token.token : null,
      users: app.users.size,
    };
  }

  /**
   * Call counts are per WeChat path over all apps. The top-level token and user fields are
   * totals over all apps, except currentStableToken, which is the default app's; with
   * ?appId=… all three are that app's. `apps` always has the per-app breakdown.
   */
  private controlStats(query: URLSearchParams): JsonObject {
    const apps = [...this.apps.values()];
    const perApp = Object.fromEntries(apps.map((app) => [app.appId, this.appStats(app)]));
    const selected = query.get('appId');
    const summary =
      selected === null
        ? {
            stableTokensIssued: apps.reduce((sum, app) => sum + app.stableTokensIssued, 0),
            currentStableToken: this.appStats(this.defaultApp)['currentStableToken'],
            users: apps.reduce((sum, app) => sum + app.users.size, 0),
          }
        : this.appStats(this.appById(selected));
    return { calls: Object.fromEntries(this.calls), ...summary, apps: perApp };
  }

  private controlReset(): JsonObject {
    for (const app of this.apps.values()) {
      app.users.clear();
      app.currentToken = null;
      app.previousToken = null;
      app.stableTokensIssued = 0;
    }
    this.loginCodes.clear();
    this.phoneCodes.clear();
    this.tokens.clear();
    this.faults.clear();
    this.calls.clear();
    this.clockOffsetMs = 0;
    return { ok: true };
  }

  /** Forgets expired codes and long-expired tokens, so a long benchmark does not grow memory. */
  sweep(): void {
    const now = this.now();
    for (const [code, entry] of this.loginCodes) {
      if (entry.expiresAt <= now) this.loginCodes.delete(code);
    }
    for (const [code, entry] of this.phoneCodes) {
      if (entry.expiresAt <= now) this.phoneCodes.delete(code);
    }
    for (const [value, token] of this.tokens) {
      if (token.expiresAt + EXPIRED_TOKEN_MEMORY_MS <= now) this.tokens.delete(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Server lifecycle

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the emulator is not listening on TCP'));
      } else {
        resolve(address.port);
      }
    });
  });
}

export async function startWechatEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new WechatEmulator(resolveConfig(options));
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void emulator.handle(req, res);
  });
  const port = await listen(server, options.port ?? 0, host);
  const sweeper = setInterval(() => {
    emulator.sweep();
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      clearInterval(sweeper);
      server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
      // Keep-alive sockets would hold the server (and jest) open otherwise.
      server.closeAllConnections();
    });
    return closing;
  };
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, close };
}
