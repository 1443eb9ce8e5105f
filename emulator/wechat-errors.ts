/** WeChat's error bodies: `{errcode, errmsg}` with the errmsg ending in a request id. */
import { ALNUM, randomString, requestId } from './identifiers';
import type { JsonObject } from './http';

/** Partial: an errcode without an entry (e.g. one a fault invents) gets a generic text. */
export const ERRMSG: Readonly<Partial<Record<number, string>>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip, not in whitelist',
  40226: 'code blocked',
  40243: 'AppSecret已被冻结，请登录小程序平台解冻后再次调用',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  41009: 'missing openid',
  42001: 'access_token expired',
  43001: 'require GET method',
  43002: 'require POST method',
  44004: 'empty content',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  47001: 'data format error',
  48001: 'api unauthorized',
  87008: 'invalid sig_method',
  87009: 'invalid signature',
};

export function wechatError(errcode: number, nowMs: number, errmsg?: string): JsonObject {
  return {
    errcode,
    errmsg: `${errmsg ?? ERRMSG[errcode] ?? 'error'}, rid: ${requestId(nowMs)}`,
  };
}

/** The phone API words 40029 its own way: `invalid code hint: [...] rid: ...`. */
export function invalidPhoneCode(nowMs: number): JsonObject {
  const hint = randomString(ALNUM, 14);
  return { errcode: 40029, errmsg: `invalid code hint: [${hint}] rid: ${requestId(nowMs)}` };
}
