/**
 * WeChat's mini-program routes: jscode2session, the phone number, and the session-key check and
 * reset.
 */
import { SNS_CONTENT_TYPE, WECHAT_JSON_CONTENT_TYPE, parseJsonObject } from './http';
import type { JsonObject, WechatRoute } from './http';
import { checkSessionSignature, newSessionKey } from './identifiers';
import type { EmulatorState, User } from './state';
import { invalidPhoneCode } from './wechat-errors';

export function miniProgramRoutes(state: EmulatorState): Array<[string, WechatRoute]> {
  const json = WECHAT_JSON_CONTENT_TYPE;
  return [
    [
      '/sns/jscode2session',
      { method: 'GET', contentType: SNS_CONTENT_TYPE, handle: (q) => jscode2session(state, q) },
    ],
    [
      '/wxa/business/getuserphonenumber',
      { method: 'POST', contentType: json, handle: (q, body) => phoneNumber(state, q, body) },
    ],
    [
      '/wxa/checksession',
      { method: 'GET', contentType: json, handle: (q) => checkSession(state, q) },
    ],
    [
      '/wxa/resetusersessionkey',
      { method: 'GET', contentType: json, handle: (q) => resetSessionKey(state, q) },
    ],
  ];
}

function jscode2session(state: EmulatorState, query: URLSearchParams): JsonObject {
  const appid = query.get('appid');
  const secret = query.get('secret');
  const jsCode = query.get('js_code');
  const grantType = query.get('grant_type');
  if (!appid) return state.error(41002);
  if (!secret) return state.error(41004);
  if (!jsCode) return state.error(41008);
  const app = state.apps.get(appid);
  // A web app's appid is not a mini-program's: WeChat answers as for an unknown one.
  if (app === undefined || app.type !== 'miniprogram') return state.error(40013);
  if (secret !== app.appSecret) return state.error(40125);
  if (grantType !== null && grantType !== 'authorization_code') return state.error(40002);

  const code = state.loginCodes.get(jsCode);
  if (code === undefined || code.app !== app) return state.error(40029);
  if (code.used) return state.error(40163);
  if (code.expiresAt <= state.now()) return state.error(40029);
  code.used = true;
  // Real success bodies carry no errcode, and unionid only when the user has one.
  const session: JsonObject = { session_key: code.sessionKey, openid: code.openid };
  if (code.unionid !== null) session['unionid'] = code.unionid;
  return session;
}

function phoneNumber(state: EmulatorState, query: URLSearchParams, rawBody: string): JsonObject {
  const auth = state.authenticateMiniProgram(query);
  if ('error' in auth) return auth.error;
  const body = parseJsonObject(rawBody);
  if (body === null) return state.error(47001);
  const codeValue = body['code'];
  const openid = body['openid'];
  if (openid !== undefined && typeof openid !== 'string') return state.error(47001);
  const now = state.now();
  const code = typeof codeValue === 'string' ? state.phoneCodes.get(codeValue) : undefined;
  if (typeof codeValue !== 'string' || code === undefined || code.expiresAt <= now) {
    return invalidPhoneCode(now);
  }
  // A code of another app, or for another user, is refused without being spent.
  if (code.app !== auth.app) return state.error(40013);
  if (openid && code.openid !== null && openid !== code.openid) return invalidPhoneCode(now);
  state.phoneCodes.delete(codeValue);
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

/** The user whose current session key signed the call, or WeChat's answer for why not. */
function signedUser(
  state: EmulatorState,
  query: URLSearchParams,
): { user: User } | { error: JsonObject } {
  const auth = state.authenticateMiniProgram(query);
  if ('error' in auth) return auth;
  if (query.get('sig_method') !== 'hmac_sha256') return { error: state.error(87008) };
  const user = auth.app.users.get(query.get('openid') ?? '');
  if (user === undefined) return { error: state.error(40003) };
  if (query.get('signature') !== checkSessionSignature(user.sessionKey)) {
    return { error: state.error(87009) };
  }
  return { user };
}

function checkSession(state: EmulatorState, query: URLSearchParams): JsonObject {
  const signed = signedUser(state, query);
  return 'error' in signed ? signed.error : { errcode: 0, errmsg: 'ok' };
}

function resetSessionKey(state: EmulatorState, query: URLSearchParams): JsonObject {
  const signed = signedUser(state, query);
  if ('error' in signed) return signed.error;
  signed.user.sessionKey = newSessionKey();
  return {
    errcode: 0,
    errmsg: 'ok',
    openid: signed.user.openid,
    session_key: signed.user.sessionKey,
  };
}
