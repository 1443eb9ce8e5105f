/**
 * Control routes that stand in for the WeChat client: they mint login, phone and web codes and
 * encrypt data the way WeChat does.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import {
  allowOnly,
  booleanField,
  choiceField,
  digitsField,
  integerField,
  stringField,
} from './control-fields';
import { HttpError, isJsonObject } from './http';
import type { ControlRoute, JsonObject } from './http';
import { newLoginCode, newPhoneCode, newSessionKey, newUnionid } from './identifiers';
import {
  WEB_SCOPES,
  type AppState,
  type EmulatorState,
  type UserSpec,
  type WebScope,
} from './state';

const MAX_BULK_CODES = 100_000;
const LOGIN_CODE_FIELDS = ['appId', 'openid', 'unionid', 'sessionKey'];
const OAUTH_CODE_FIELDS = [
  'appId',
  'openid',
  'unionid',
  'scope',
  'snapshot',
  'nickname',
  'headimgurl',
];

export function codeControlRoutes(state: EmulatorState): ControlRoute[] {
  return [
    ['POST', 'login-code', (body) => mintLoginCodeRoute(state, body)],
    ['POST', 'login-codes', (body) => mintLoginCodesRoute(state, body)],
    ['POST', 'phone-code', (body) => mintPhoneCode(state, body)],
    ['POST', 'oauth-code', (body) => mintOauthCode(state, body)],
    ['POST', 'encrypt', (body) => encrypt(state, body)],
  ];
}

function userSpec(body: JsonObject): UserSpec {
  return {
    openid: stringField(body, 'openid', 128),
    unionid: body['unionid'] === null ? null : stringField(body, 'unionid', 128),
    nickname: stringField(body, 'nickname', 128),
    headimgurl: stringField(body, 'headimgurl', 1024),
  };
}

function miniProgramById(state: EmulatorState, appId: string | undefined): AppState {
  const app = state.appById(appId);
  if (app.type !== 'miniprogram') {
    throw new HttpError(400, `app ${app.appId} is a ${app.type} app, not a mini-program`);
  }
  return app;
}

/** Each user has one valid session key: minting a code for a known user replaces it. */
function mintLoginCode(
  state: EmulatorState,
  app: AppState,
  spec: UserSpec,
  sessionKey: string | undefined,
  now: number,
): JsonObject {
  const user = state.findOrCreateUser(app, spec);
  user.sessionKey = sessionKey ?? newSessionKey();
  const code = newLoginCode();
  const { openid, unionid } = user;
  state.loginCodes.set(code, {
    app,
    openid,
    unionid,
    sessionKey: user.sessionKey,
    expiresAt: now + state.config.codeTtlMs,
    used: false,
  });
  return { code, openid, unionid, sessionKey: user.sessionKey, appId: app.appId };
}

function mintLoginCodeRoute(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, LOGIN_CODE_FIELDS);
  const app = miniProgramById(state, stringField(body, 'appId'));
  return mintLoginCode(state, app, userSpec(body), stringField(body, 'sessionKey'), state.now());
}

function mintLoginCodesRoute(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, ['count', ...LOGIN_CODE_FIELDS]);
  const count = integerField(body, 'count', 1, MAX_BULK_CODES);
  if (count === undefined) throw new HttpError(400, '"count" is required');
  const app = miniProgramById(state, stringField(body, 'appId'));
  const spec = userSpec(body);
  const sessionKey = stringField(body, 'sessionKey');
  const now = state.now();
  return {
    codes: Array.from({ length: count }, () => mintLoginCode(state, app, spec, sessionKey, now)),
  };
}

function mintPhoneCode(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, ['appId', 'openid', 'phoneNumber', 'countryCode']);
  const app = miniProgramById(state, stringField(body, 'appId'));
  const code = newPhoneCode();
  state.phoneCodes.set(code, {
    app,
    openid: stringField(body, 'openid', 128) ?? null,
    purePhoneNumber: digitsField(body, 'phoneNumber', 20, '13800138000'),
    countryCode: digitsField(body, 'countryCode', 4, '86'),
    expiresAt: state.now() + state.config.codeTtlMs,
  });
  return { code };
}

/** What the OAuth page hands the browser after the user agreed (or, for snapshots, did not need to). */
function mintOauthCode(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, OAUTH_CODE_FIELDS);
  const app = state.appById(stringField(body, 'appId'));
  if (app.type === 'miniprogram') {
    throw new HttpError(400, `app ${app.appId} is a mini-program: web codes need a web app`);
  }
  const snapshot = booleanField(body, 'snapshot');
  const scope = oauthScope(app, choiceField(body, 'scope', WEB_SCOPES), snapshot);
  const spec = userSpec(body);
  if (app.type === 'website' && spec.unionid === null) {
    throw new HttpError(400, 'website apps always have a unionid');
  }
  const user = state.findOrCreateUser(app, spec);
  // Website apps belong to an Open Platform account, so WeChat always reports a unionid.
  if (app.type === 'website' && user.unionid === null) state.setUnionid(app, user, newUnionid());
  const code = newLoginCode();
  state.oauthCodes.set(code, {
    app,
    openid: user.openid,
    unionid: user.unionid,
    scope,
    snapshot,
    expiresAt: state.now() + state.config.codeTtlMs,
    used: false,
  });
  return { code, openid: user.openid, unionid: user.unionid, scope };
}

/** The scopes each kind of web app can ask for; a snapshot page only ever gets snsapi_base. */
function oauthScope(app: AppState, asked: WebScope | undefined, snapshot: boolean): WebScope {
  if (app.type === 'website') {
    if (snapshot) throw new HttpError(400, 'snapshot users exist on Official Account pages only');
    if (asked !== undefined && asked !== 'snsapi_login') {
      throw new HttpError(400, 'website apps log in with scope snsapi_login only');
    }
    return 'snsapi_login';
  }
  if (asked === 'snsapi_login') {
    throw new HttpError(400, 'Official Account pages use snsapi_base or snsapi_userinfo');
  }
  if (snapshot && asked === 'snsapi_userinfo') {
    throw new HttpError(400, 'snapshot users have scope snsapi_base');
  }
  return asked ?? (snapshot ? 'snsapi_base' : 'snsapi_userinfo');
}

/** Encrypts `data` exactly as WeChat encrypts what wx.getPhoneNumber & co. hand the client. */
function encrypt(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, ['appId', 'openid', 'data', 'watermarkAppId']);
  const app = miniProgramById(state, stringField(body, 'appId'));
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
    timestamp: Math.floor(state.now() / 1000),
  };
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key, iv);
  const plaintext = JSON.stringify({ ...data, watermark });
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { encryptedData: encrypted.toString('base64'), iv: iv.toString('base64') };
}
