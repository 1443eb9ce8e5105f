/**
 * What the fuzzer knows from docs/api.md rather than from the OpenAPI document: the error codes
 * and their statuses, and per route what a valid request looks like and what it answers.
 * Written from the contract, not imported from src, so a code that drifts is caught.
 */
import { DEV_APP_ID } from '../../../emulator/wechat-emulator';
import { JsonValue } from './json';
import { ALNUM, PRINTABLE, Prng } from './prng';

/**
 * The apps the fuzzed service is configured with (WECHAT_APP_ID and WECHAT_APPS): valid
 * bodies name one of the right type, so a made-up code reaches WeChat and comes back
 * WECHAT_CODE_INVALID.
 */
export const FUZZ_APPS = {
  miniprogram: [DEV_APP_ID, 'wx00000000000000e5'],
  official_account: ['wx00000000000000e6'],
  website: ['wx00000000000000e7'],
} as const;
const WEB_APPS = [...FUZZ_APPS.official_account, ...FUZZ_APPS.website];
const ALL_APPS = [...FUZZ_APPS.miniprogram, ...WEB_APPS];

export const CONTRACT_STATUS = {
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  WECHAT_CODE_INVALID: 401,
  WECHAT_USER_BLOCKED: 403,
  WECHAT_RATE_LIMITED: 429,
  WECHAT_SIGNATURE_INVALID: 400,
  WECHAT_DECRYPT_FAILED: 400,
  WECHAT_MISCONFIGURED: 502,
  WECHAT_UNAVAILABLE: 503,
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  SESSION_REVOKED: 401,
  REFRESH_TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  USER_DISABLED: 403,
  WECHAT_SNAPSHOT_USER: 403,
  CONTENT_REJECTED: 400,
  PHONE_TAKEN: 409,
  IDENTITY_TAKEN: 409,
  IDENTITY_IN_USE: 409,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ContractCode = keyof typeof CONTRACT_STATUS;

/** What a 2xx answer must look like. */
export type Success =
  'user' | 'logins' | 'health' | 'logout' | 'jwks' | 'sessions' | 'export' | 'revoked';

/** What a valid request with a made-up code or token answers (no 2xx possible). */
export interface RouteRule {
  /** Error codes a well-formed request answers, or a success kind. */
  valid: { codes: ContractCode[] } | { success: Success };
  fields: FieldRule[];
  /** A valid body to mutate; undefined for routes without a body. */
  body?: (prng: Prng) => Record<string, JsonValue>;
  query?: QueryRule;
  /** A valid body changes the caller's profile (so it goes out as the playground user). */
  writesProfile?: boolean;
  /** Values for the path template's parameters in a valid request. */
  pathParams?: Record<string, string>;
  /**
   * Who a request with an accepted credential goes out as, for routes a valid request would
   * make change what the fuzzer relies on: `playground` (whose one session has no others to
   * revoke), or `dead`, a well-signed token of a session that does not exist (the account's
   * deletion can only answer SESSION_REVOKED).
   */
  caller?: 'playground' | 'dead';
}

/**
 * How a string field judges text: `ascii` printable ASCII only (codes), `nickname` 1-64
 * code points of well-formed Unicode, `url` an http(s) URL, `hex40` a SHA-1 in hex, `appid`
 * a WeChat AppID (wx and 16 hex; a well-formed one of an app not configured for the route is
 * VALIDATION_FAILED too), `any` whatever the route then judges itself (a token, base64).
 */
export type TextRule = 'ascii' | 'nickname' | 'url' | 'hex40' | 'appid' | 'any';

export interface FieldRule {
  name: string;
  type: 'string' | 'number' | 'object';
  required?: boolean;
  /** Longest valid value, in code points. */
  max?: number;
  text?: TextRule;
  /** Allowed numbers (gender). */
  oneOf?: number[];
  /** Null counts as absent (optional login fields); elsewhere null is a wrong type. */
  nullMeansAbsent?: boolean;
  /** Comes together with this other field (rawData and signature). */
  pairedWith?: string;
  valid: (prng: Prng) => JsonValue;
  fields?: FieldRule[];
}

export interface QueryRule {
  name: string;
  /** Valid values on the wire. */
  valid: string[];
}

const code = (prng: Prng) => prng.string(prng.int(8, 40), PRINTABLE);
const appIdField = (required: boolean, apps: readonly string[]): FieldRule => ({
  name: 'appId',
  type: 'string',
  required,
  max: 18,
  text: 'appid',
  nullMeansAbsent: !required,
  valid: (prng) => prng.pick([...apps]),
});
/** A web login or a link: an app of the route's kind and a code WeChat never issued. */
const appCode = (apps: readonly string[]): RouteRule => ({
  valid: { codes: ['WECHAT_CODE_INVALID'] },
  fields: [
    appIdField(true, apps),
    { name: 'code', type: 'string', required: true, max: 128, text: 'ascii', valid: code },
  ],
  body: (prng) => ({ appId: prng.pick([...apps]), code: code(prng) }),
});
const nickname = (prng: Prng) =>
  prng.pick(['小明', 'Band', '微信用户', 'Ana María', '😀']) + prng.int(0, 999);

const USER_INFO: FieldRule[] = [
  {
    name: 'nickName',
    type: 'string',
    max: 64,
    text: 'nickname',
    nullMeansAbsent: true,
    valid: nickname,
  },
  {
    name: 'avatarUrl',
    type: 'string',
    max: 512,
    text: 'url',
    nullMeansAbsent: true,
    valid: (prng) => `https://thirdwx.qlogo.cn/mmopen/${prng.string(12, ALNUM)}/132`,
  },
  {
    name: 'gender',
    type: 'number',
    oneOf: [0, 1, 2],
    nullMeansAbsent: true,
    valid: (prng) => prng.int(0, 2),
  },
  ...['country', 'province', 'city', 'language'].map((name): FieldRule => ({
    name,
    type: 'string',
    max: 64,
    text: 'any',
    nullMeansAbsent: true,
    valid: (prng) => prng.pick(['China', 'Guangdong', 'Shenzhen', 'zh_CN']),
  })),
];

const PROFILE_UPDATE: RouteRule = {
  writesProfile: true,
  valid: { success: 'user' },
  fields: [
    { name: 'nickname', type: 'string', max: 64, text: 'nickname', valid: nickname },
    {
      name: 'avatarUrl',
      type: 'string',
      max: 512,
      text: 'url',
      valid: (prng) => `https://example.com/avatars/${prng.string(10, ALNUM)}.png`,
    },
    { name: 'gender', type: 'number', oneOf: [0, 1, 2], valid: (prng) => prng.int(0, 2) },
  ],
  body: (prng) => ({ nickname: nickname(prng) }),
};

export const ROUTE_RULES: Record<string, RouteRule> = {
  'POST /auth/wechat/login': {
    valid: { codes: ['WECHAT_CODE_INVALID'] },
    fields: [
      { name: 'code', type: 'string', required: true, max: 128, text: 'ascii', valid: code },
      appIdField(false, FUZZ_APPS.miniprogram),
      {
        name: 'userInfo',
        type: 'object',
        nullMeansAbsent: true,
        fields: USER_INFO,
        valid: (prng) => ({ nickName: nickname(prng), gender: prng.int(0, 2) }),
      },
      {
        name: 'rawData',
        type: 'string',
        max: 8192,
        text: 'any',
        pairedWith: 'signature',
        valid: (prng) => JSON.stringify({ nickName: nickname(prng) }),
      },
      {
        name: 'signature',
        type: 'string',
        text: 'hex40',
        pairedWith: 'rawData',
        valid: (prng) => prng.string(40, '0123456789abcdef'),
      },
    ],
    body: (prng) => ({ code: code(prng) }),
  },
  'POST /auth/wechat/oauth': appCode(WEB_APPS),
  'POST /auth/refresh': {
    valid: { codes: ['REFRESH_TOKEN_INVALID'] },
    fields: [
      {
        name: 'refreshToken',
        type: 'string',
        required: true,
        max: 512,
        text: 'any',
        valid: (prng) => prng.string(43, `${ALNUM}-_`),
      },
    ],
    body: (prng) => ({ refreshToken: prng.string(43, `${ALNUM}-_`) }),
  },
  'POST /auth/logout': { valid: { success: 'logout' }, fields: [] },
  'GET /users/me': { valid: { success: 'user' }, fields: [] },
  'PATCH /users/me': PROFILE_UPDATE,
  'POST /users/me/profile': PROFILE_UPDATE,
  'POST /users/me/phone': {
    valid: { codes: ['WECHAT_CODE_INVALID'] },
    fields: [
      { name: 'code', type: 'string', required: true, max: 128, text: 'ascii', valid: code },
    ],
    body: (prng) => ({ code: code(prng) }),
  },
  'POST /wechat/decrypt': {
    valid: { codes: ['WECHAT_DECRYPT_FAILED'] },
    fields: [
      {
        name: 'encryptedData',
        type: 'string',
        required: true,
        text: 'any',
        valid: (prng) => prng.bytes(16 * prng.int(1, 8)).toString('base64'),
      },
      {
        name: 'iv',
        type: 'string',
        required: true,
        text: 'any',
        valid: (prng) => prng.bytes(16).toString('base64'),
      },
    ],
    body: (prng) => ({
      encryptedData: prng.bytes(16 * prng.int(1, 8)).toString('base64'),
      iv: prng.bytes(16).toString('base64'),
    }),
  },
  'POST /users/me/identities': appCode(ALL_APPS),
  // The fuzzer's caller has one identity, its session's own: unlinking it is IDENTITY_IN_USE.
  'DELETE /users/me/identities/{appId}': {
    valid: { codes: ['IDENTITY_IN_USE'] },
    fields: [],
    pathParams: { appId: DEV_APP_ID },
  },
  'GET /users/me/logins': {
    valid: { success: 'logins' },
    fields: [],
    query: { name: 'limit', valid: ['1', '5', '20', '99', '100'] },
  },
  'GET /users/me/sessions': { valid: { success: 'sessions' }, fields: [] },
  'DELETE /users/me/sessions': { valid: { success: 'revoked' }, fields: [], caller: 'playground' },
  // No session of the caller has this id: NOT_FOUND, as for another account's session.
  'DELETE /users/me/sessions/{id}': {
    valid: { codes: ['NOT_FOUND'] },
    fields: [],
    pathParams: { id: '00000000-0000-4000-8000-00000000f022' },
  },
  'GET /users/me/export': { valid: { success: 'export' }, fields: [] },
  'DELETE /users/me': { valid: { codes: ['SESSION_REVOKED'] }, fields: [], caller: 'dead' },
  'GET /health': { valid: { success: 'health' }, fields: [] },
  'GET /health/ready': { valid: { success: 'health' }, fields: [] },
  'GET /.well-known/jwks.json': { valid: { success: 'jwks' }, fields: [] },
};

/**
 * Documented routes that exist only when a setting enables them; the fuzzed service leaves it
 * unset, so they answer as unknown paths do (test/introspection.e2e-spec.ts covers both).
 */
export const OFF_UNLESS_CONFIGURED: ReadonlySet<string> = new Set(['POST /auth/introspect']);

/** Keys of the contract's `user` object. */
export const USER_KEYS = [
  'id',
  'appId',
  'openid',
  'unionid',
  'nickname',
  'avatarUrl',
  'gender',
  'phone',
  'status',
  'createdAt',
  'lastLoginAt',
  'lastLoginIp',
  'loginCount',
  'identities',
];

/** Keys of an entry of the `user` object's `identities`. */
export const IDENTITY_KEYS = ['appId', 'type', 'openid', 'unionid', 'createdAt', 'lastLoginAt'];
