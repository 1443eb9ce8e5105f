/**
 * WeChat's web login (OAuth) for Official Account pages and website apps: the code exchange at
 * /sns/oauth2/access_token and the profile at /sns/userinfo. The tokens handed out here are the
 * user's, kept apart from the apps' stable tokens: neither is accepted in place of the other.
 */
import { SNS_CONTENT_TYPE } from './http';
import type { JsonObject, WechatRoute } from './http';
import { newRefreshToken, newUserToken } from './identifiers';
import type { EmulatorState } from './state';

/** WeChat's web access tokens live 2 hours. */
const USER_TOKEN_TTL_SECONDS = 7200;

export function webLoginRoutes(state: EmulatorState): Array<[string, WechatRoute]> {
  return [
    [
      '/sns/oauth2/access_token',
      { method: 'GET', contentType: SNS_CONTENT_TYPE, handle: (q) => exchangeOauthCode(state, q) },
    ],
    [
      '/sns/userinfo',
      { method: 'GET', contentType: SNS_CONTENT_TYPE, handle: (q) => userInfo(state, q) },
    ],
  ];
}

function exchangeOauthCode(state: EmulatorState, query: URLSearchParams): JsonObject {
  const appid = query.get('appid');
  const secret = query.get('secret');
  const codeValue = query.get('code');
  if (!appid) return state.error(41002);
  if (!secret) return state.error(41004);
  if (!codeValue) return state.error(41008);
  const app = state.apps.get(appid);
  // A mini-program has no web login: WeChat answers as for an unknown appid.
  if (app === undefined || app.type === 'miniprogram') return state.error(40013);
  if (secret !== app.appSecret) return state.error(40125);
  if (query.get('grant_type') !== 'authorization_code') return state.error(40002);

  const now = state.now();
  const code = state.oauthCodes.get(codeValue);
  if (code === undefined || code.app !== app) return state.error(40029);
  if (code.used) return state.error(40163);
  if (code.expiresAt <= now) return state.error(40029);
  code.used = true;
  const accessToken = newUserToken();
  state.userTokens.set(accessToken, {
    app,
    openid: code.openid,
    scope: code.scope,
    expiresAt: now + USER_TOKEN_TTL_SECONDS * 1000,
  });
  const answer: JsonObject = {
    access_token: accessToken,
    expires_in: USER_TOKEN_TTL_SECONDS,
    // Nothing here redeems refresh tokens; the field is there because WeChat sends it.
    refresh_token: newRefreshToken(),
    openid: code.openid,
    scope: code.scope,
  };
  if (code.snapshot) answer['is_snapshotuser'] = 1;
  if (code.unionid !== null) answer['unionid'] = code.unionid;
  return answer;
}

function userInfo(state: EmulatorState, query: URLSearchParams): JsonObject {
  const value = query.get('access_token');
  if (!value) return state.error(41001);
  const token = state.userTokens.get(value);
  if (token === undefined) return state.error(40001);
  if (token.expiresAt <= state.now()) return state.error(42001);
  const user = token.app.users.get(query.get('openid') ?? '');
  if (user === undefined || user.openid !== token.openid) return state.error(40003);
  // snsapi_base only proves who the user is; the profile needs the user's consent.
  if (token.scope === 'snsapi_base') return state.error(48001);
  // Since 2021-12-27 WeChat answers sex 0 and empty places for everyone.
  const profile: JsonObject = {
    openid: user.openid,
    nickname: user.nickname,
    sex: 0,
    city: '',
    province: '',
    country: '',
    headimgurl: user.headimgurl,
    privilege: [],
  };
  if (user.unionid !== null) profile['unionid'] = user.unionid;
  return profile;
}
