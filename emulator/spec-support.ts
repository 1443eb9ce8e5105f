/**
 * Shared by the emulator's specs: plain HTTP calls to a real emulator, and the checks they make.
 */
import { createHmac } from 'node:crypto';
import {
  DEV_APP_ID,
  DEV_APP_SECRET,
  startWechatEmulator,
  type EmulatorApp,
  type EmulatorOptions,
  type RunningEmulator,
} from './wechat-emulator';

export const OTHER_APP_ID = 'wx00000000000000aa';
export const OTHER_APP_SECRET = 'ffffffffffffffffffffffffffffffff';
export const RID = /, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
export const OPENID = /^o[A-Za-z0-9_-]{27}$/;
export const SESSION_KEY = /^[A-Za-z0-9+/]{22}==$/;
// Published checksession vectors (WECHAT.md).
export const VECTOR_KEY = 'o0q0otL8aEzpcZL/FT9WsQ==';
export const VECTOR_SIGNATURE = '46e043c5525c2d817c44be603d30837a808a1d930d038f6fdc3e62a201fed128';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

export interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
  watermark: { timestamp: number; appid: string };
}

export interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  session_key?: string;
  openid?: string;
  unionid?: string;
  access_token?: string;
  expires_in?: number;
  phone_info?: PhoneInfo;
}

export interface MintedCode {
  code: string;
  openid: string;
  unionid: string | null;
  sessionKey: string;
  appId: string;
}

export interface Stats {
  calls: Record<string, number>;
  stableTokensIssued: number;
  currentStableToken: string | null;
  users: number;
  apps: Record<
    string,
    { stableTokensIssued: number; currentStableToken: string | null; users: number }
  >;
}

// Jest's asymmetric matchers are typed `any`; handing them out as `unknown` keeps type-aware
// lint rules satisfied without weakening the checks.
export const anyString: unknown = expect.any(String);
export const anyNumber: unknown = expect.any(Number);
export const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);

let current: RunningEmulator | undefined;

/** The emulator of the running spec file, which the helpers talk to unless given another. */
export function active(): RunningEmulator {
  if (current === undefined) throw new Error('call startSpecEmulator() in beforeAll first');
  return current;
}

export async function send(
  base: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const response = await fetch(`${base.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

export async function control<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  base = active(),
): Promise<T> {
  const answer = await send(base, method, `/__emulator/${path}`, body);
  expect({ status: answer.status, text: answer.text }).toEqual({
    status: 200,
    text: anyString,
  });
  return JSON.parse(answer.text) as T;
}

export const mintCode = (
  body: Record<string, unknown> = {},
  base = active(),
): Promise<MintedCode> => control<MintedCode>('POST', 'login-code', body, base);

export function sessionPath(code: string, overrides: Record<string, string | null> = {}): string {
  const params: Record<string, string | null> = {
    appid: DEV_APP_ID,
    secret: DEV_APP_SECRET,
    js_code: code,
    grant_type: 'authorization_code',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) query.set(key, value);
  }
  return `/sns/jscode2session?${query.toString()}`;
}

export async function wechat(
  method: string,
  path: string,
  body?: unknown,
  base = active(),
): Promise<WechatAnswer> {
  const answer = await send(base, method, path, body);
  expect(answer.status).toBe(200);
  return JSON.parse(answer.text) as WechatAnswer;
}

export const exchange = (
  code: string,
  overrides: Record<string, string | null> = {},
  base = active(),
): Promise<WechatAnswer> => wechat('GET', sessionPath(code, overrides), undefined, base);

export const stableToken = (
  body: Record<string, unknown>,
  base = active(),
): Promise<WechatAnswer> => wechat('POST', '/cgi-bin/stable_token', body, base);

export async function fetchToken(
  appId = DEV_APP_ID,
  secret = DEV_APP_SECRET,
  base = active(),
): Promise<string> {
  const answer = await stableToken({ grant_type: 'client_credential', appid: appId, secret }, base);
  expect(typeof answer.access_token).toBe('string');
  return answer.access_token ?? '';
}

export const phone = (token: string | null, body: Record<string, unknown>): Promise<WechatAnswer> =>
  wechat(
    'POST',
    `/wxa/business/getuserphonenumber${token === null ? '' : `?access_token=${token}`}`,
    body,
  );

export const signature = (sessionKey: string): string =>
  createHmac('sha256', sessionKey).update('').digest('hex');

export function sessionCall(
  route: 'checksession' | 'resetusersessionkey',
  params: { token?: string; openid?: string; signature?: string; sigMethod?: string },
  base = active(),
): Promise<WechatAnswer> {
  const query = new URLSearchParams({ sig_method: params.sigMethod ?? 'hmac_sha256' });
  if (params.token !== undefined) query.set('access_token', params.token);
  if (params.openid !== undefined) query.set('openid', params.openid);
  if (params.signature !== undefined) query.set('signature', params.signature);
  return wechat('GET', `/wxa/${route}?${query.toString()}`, undefined, base);
}

export const advanceClock = (seconds: number, base = active()): Promise<unknown> =>
  control('POST', 'advance-clock', { seconds }, base);

/** expires_in is rounded down, so the real milliseconds a test takes may cost it one second. */
export function expectToken(
  answer: WechatAnswer,
  token: string | undefined,
  expiresIn: number,
): void {
  expect(answer.access_token).toBe(token);
  expect(answer.expires_in).toBeLessThanOrEqual(expiresIn);
  expect(answer.expires_in).toBeGreaterThanOrEqual(expiresIn - 1);
}

export function expectError(answer: WechatAnswer, errcode: number, errmsgStart: string): void {
  expect(answer.errcode).toBe(errcode);
  expect(answer.errmsg?.startsWith(errmsgStart)).toBe(true);
}

export async function withEmulator(
  options: EmulatorOptions,
  run: (base: RunningEmulator) => Promise<void>,
): Promise<void> {
  const base = await startWechatEmulator({ port: 0, ...options });
  try {
    await run(base);
  } finally {
    await base.close();
  }
}

export const MINI_PROGRAMS: EmulatorApp[] = [
  { appId: DEV_APP_ID, appSecret: DEV_APP_SECRET },
  { appId: OTHER_APP_ID, appSecret: OTHER_APP_SECRET },
];

/** Starts the spec file's emulator; the helpers' default target until the next start. */
export async function startSpecEmulator(apps = MINI_PROGRAMS): Promise<RunningEmulator> {
  current = await startWechatEmulator({ port: 0, apps });
  return current;
}

export const OA_APP_ID = 'wx0000000000000oa1';
export const OA_APP_SECRET = '11111111111111111111111111111111';
export const WEB_APP_ID = 'wx00000000000web01';
export const WEB_APP_SECRET = '22222222222222222222222222222222';

/** The mini-programs plus an Official Account and a website app. */
export const ALL_APP_TYPES: EmulatorApp[] = [
  ...MINI_PROGRAMS,
  { appId: OA_APP_ID, appSecret: OA_APP_SECRET, type: 'official_account' },
  { appId: WEB_APP_ID, appSecret: WEB_APP_SECRET, type: 'website' },
];

export interface MintedOauthCode {
  code: string;
  openid: string;
  unionid: string | null;
  scope: string;
}

export interface WebAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
  openid?: string;
  scope?: string;
  unionid?: string;
  is_snapshotuser?: number;
}

export const mintOauthCode = (body: Record<string, unknown>): Promise<MintedOauthCode> =>
  control<MintedOauthCode>('POST', 'oauth-code', body);

const secretOf = (appId: string): string =>
  ALL_APP_TYPES.find((app) => app.appId === appId)?.appSecret ?? '';

export function oauthPath(
  appId: string,
  code: string,
  overrides: Record<string, string | null> = {},
): string {
  const params: Record<string, string | null> = {
    appid: appId,
    secret: secretOf(appId),
    code,
    grant_type: 'authorization_code',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) query.set(key, value);
  }
  return `/sns/oauth2/access_token?${query.toString()}`;
}

export const oauthExchange = (
  appId: string,
  code: string,
  overrides: Record<string, string | null> = {},
): Promise<WebAnswer> => wechat('GET', oauthPath(appId, code, overrides));

export function userInfoPath(token: string | null, openid: string | null): string {
  const query = new URLSearchParams({ lang: 'zh_CN' });
  if (token !== null) query.set('access_token', token);
  if (openid !== null) query.set('openid', openid);
  return `/sns/userinfo?${query.toString()}`;
}

export const userInfo = (token: string | null, openid: string | null): Promise<WechatAnswer> =>
  wechat('GET', userInfoPath(token, openid));
