/** WeChat's `POST /cgi-bin/stable_token`: one token per app, shared by every caller. */
import { WECHAT_JSON_CONTENT_TYPE, parseJsonObject } from './http';
import type { JsonObject, WechatRoute } from './http';
import type { EmulatorState } from './state';

export function stableTokenRoutes(state: EmulatorState): Array<[string, WechatRoute]> {
  return [
    [
      '/cgi-bin/stable_token',
      {
        method: 'POST',
        contentType: WECHAT_JSON_CONTENT_TYPE,
        handle: (_q, body) => stableToken(state, body),
      },
    ],
  ];
}

function stableToken(state: EmulatorState, rawBody: string): JsonObject {
  const body = parseJsonObject(rawBody);
  if (body === null) return state.error(47001);
  const appid = body['appid'];
  const secret = body['secret'];
  if (typeof appid !== 'string' || appid === '') return state.error(41002);
  if (typeof secret !== 'string' || secret === '') return state.error(41004);
  if (body['grant_type'] !== 'client_credential') return state.error(40002);
  const app = state.apps.get(appid);
  if (app === undefined) return state.error(40013);
  if (secret !== app.appSecret) return state.error(40001);

  const now = state.now();
  if (body['force_refresh'] === true) state.revokeStableTokens(app, 40001);
  const current = app.currentToken;
  // Every caller shares the current token until its last refresh window; then a successor is
  // issued and the old token keeps working until its own expiry.
  const token =
    current !== null &&
    current.revokedAs === null &&
    current.expiresAt - now > state.config.refreshWindowMs
      ? current
      : state.issueStableToken(app, now);
  return { access_token: token.token, expires_in: Math.floor((token.expiresAt - now) / 1000) };
}
