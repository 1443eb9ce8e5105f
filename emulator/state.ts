/**
 * Everything the emulator remembers: apps, their users, codes, tokens, content rules, faults,
 * call counts and its clock. Codes and tokens are looked up by value, so every request is a map
 * lookup, never a scan.
 */
import type { AppType, Config } from './config';
import { FaultBook } from './faults';
import { HttpError, type JsonObject } from './http';
import {
  newHeadImgUrl,
  newOpenid,
  newSessionKey,
  newStableToken,
  openidPrefixFor,
} from './identifiers';
import { wechatError } from './wechat-errors';

export interface User {
  openid: string;
  unionid: string | null;
  /** Meaningful for mini-program users only; web users have one that nothing reads. */
  sessionKey: string;
  /** What /sns/userinfo answers. */
  nickname: string;
  headimgurl: string;
}

export interface StableToken {
  token: string;
  app: AppState;
  expiresAt: number;
  /** Errcode that API calls with this token get after force_refresh or the invalidate control route. */
  revokedAs: number | null;
}

export interface AppState {
  appId: string;
  appSecret: string;
  type: AppType;
  openidPrefix: string;
  users: Map<string, User>;
  /** One person has one openid per app: a unionid finds it. */
  openidByUnionid: Map<string, string>;
  currentToken: StableToken | null;
  /** The predecessor that stays valid during the overlap, kept so force_refresh can revoke it. */
  previousToken: StableToken | null;
  stableTokensIssued: number;
}

/** A login code remembers the user as of its minting: that is what jscode2session returns. */
export interface LoginCode {
  app: AppState;
  openid: string;
  unionid: string | null;
  sessionKey: string;
  expiresAt: number;
  used: boolean;
}

export interface PhoneCode {
  app: AppState;
  /** null: minted without an openid, so any openid (or none) in the exchange is accepted. */
  openid: string | null;
  purePhoneNumber: string;
  countryCode: string;
  expiresAt: number;
}

export const WEB_SCOPES = ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'] as const;
export type WebScope = (typeof WEB_SCOPES)[number];

/** A web (OAuth) code: what the authorize page hands the browser. */
export interface OauthCode {
  app: AppState;
  openid: string;
  unionid: string | null;
  scope: WebScope;
  snapshot: boolean;
  expiresAt: number;
  used: boolean;
}

/** The user's own web access token, from /sns/oauth2/access_token; never an app's token. */
export interface UserToken {
  app: AppState;
  openid: string;
  scope: WebScope;
  expiresAt: number;
}

export const CONTENT_VERDICTS = ['review', 'risky'] as const;
export type ContentVerdict = (typeof CONTENT_VERDICTS)[number];

export interface ContentRule {
  contains: string;
  suggest: ContentVerdict;
  label: number;
}

/** Who a code is minted for, as the control routes were asked. */
export interface UserSpec {
  openid?: string | undefined;
  /** null: the user has no unionid (any stored one is dropped); undefined: keep what is stored. */
  unionid?: string | null | undefined;
  nickname?: string | undefined;
  headimgurl?: string | undefined;
}

/** Expired tokens are remembered this long so callers get 42001 (expired) rather than 40001 (unknown). */
const EXPIRED_TOKEN_MEMORY_MS = 24 * 3600 * 1000;
const DEFAULT_NICKNAME = '微信用户';

export class EmulatorState {
  readonly config: Config;
  readonly apps = new Map<string, AppState>();
  readonly defaultApp: AppState;
  readonly loginCodes = new Map<string, LoginCode>();
  readonly phoneCodes = new Map<string, PhoneCode>();
  readonly oauthCodes = new Map<string, OauthCode>();
  readonly stableTokens = new Map<string, StableToken>();
  readonly userTokens = new Map<string, UserToken>();
  readonly contentRules: ContentRule[] = [];
  readonly faults = new FaultBook();
  /** Requests per WeChat path, faulted ones included. */
  readonly calls = new Map<string, number>();
  /** Moved forward by the advance-clock control route so tests need not wait for expiries. */
  private clockOffsetMs = 0;

  constructor(config: Config) {
    this.config = config;
    for (const { appId, appSecret, type } of config.apps) {
      this.apps.set(appId, {
        appId,
        appSecret,
        type,
        openidPrefix: openidPrefixFor(appId),
        users: new Map(),
        openidByUnionid: new Map(),
        currentToken: null,
        previousToken: null,
        stableTokensIssued: 0,
      });
    }
    // resolveConfig guarantees at least one app; the first is the control routes' default.
    const first = this.apps.values().next().value;
    if (first === undefined) throw new Error('the emulator needs at least one app');
    this.defaultApp = first;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(seconds: number): void {
    this.clockOffsetMs += seconds * 1000;
  }

  error(errcode: number): JsonObject {
    return wechatError(errcode, this.now());
  }

  /** The app a control call names (the default app when none), or a 400 refusal. */
  appById(appId: string | undefined): AppState {
    if (appId === undefined) return this.defaultApp;
    const app = this.apps.get(appId);
    if (app === undefined) throw new HttpError(400, `unknown appId "${appId}"`);
    return app;
  }

  // -- users -----------------------------------------------------------------------------------

  /**
   * The app's user for `spec`: by openid when given, else the one holding the given unionid
   * (one person has one openid per app), else a new user. A given unionid (or null) replaces the
   * stored one; the profile fields replace the stored ones when given.
   */
  findOrCreateUser(app: AppState, spec: UserSpec): User {
    const openid =
      spec.openid ??
      (typeof spec.unionid === 'string' ? app.openidByUnionid.get(spec.unionid) : undefined);
    let user = openid === undefined ? undefined : app.users.get(openid);
    if (user === undefined) {
      user = {
        openid: openid ?? newOpenid(app.openidPrefix),
        unionid: null,
        sessionKey: newSessionKey(),
        nickname: DEFAULT_NICKNAME,
        headimgurl: newHeadImgUrl(),
      };
      app.users.set(user.openid, user);
    }
    if (spec.unionid !== undefined) this.setUnionid(app, user, spec.unionid);
    if (spec.nickname !== undefined) user.nickname = spec.nickname;
    if (spec.headimgurl !== undefined) user.headimgurl = spec.headimgurl;
    return user;
  }

  setUnionid(app: AppState, user: User, unionid: string | null): void {
    if (user.unionid !== null && app.openidByUnionid.get(user.unionid) === user.openid) {
      app.openidByUnionid.delete(user.unionid);
    }
    user.unionid = unionid;
    if (unionid !== null) app.openidByUnionid.set(unionid, user.openid);
  }

  // -- stable access tokens --------------------------------------------------------------------

  issueStableToken(app: AppState, now: number): StableToken {
    const token: StableToken = {
      token: newStableToken(),
      app,
      expiresAt: now + this.config.stableTokenTtlMs,
      revokedAs: null,
    };
    this.stableTokens.set(token.token, token);
    app.previousToken = app.currentToken;
    app.currentToken = token;
    app.stableTokensIssued += 1;
    return token;
  }

  /** Makes the app's live tokens fail with `errcode`; the next stable_token call issues a new one. */
  revokeStableTokens(app: AppState, errcode: number): number {
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

  /** The app whose stable token the call carries, or WeChat's answer for a bad token. */
  authenticate(query: URLSearchParams): { app: AppState } | { error: JsonObject } {
    const value = query.get('access_token');
    if (!value) return { error: this.error(41001) };
    const token = this.stableTokens.get(value);
    if (token === undefined) return { error: this.error(40001) };
    if (token.revokedAs !== null) return { error: this.error(token.revokedAs) };
    if (token.expiresAt <= this.now()) return { error: this.error(42001) };
    return { app: token.app };
  }

  /** As authenticate, for the APIs WeChat offers to mini-programs only (48001 for other apps). */
  authenticateMiniProgram(query: URLSearchParams): { app: AppState } | { error: JsonObject } {
    const auth = this.authenticate(query);
    if ('error' in auth || auth.app.type === 'miniprogram') return auth;
    return { error: this.error(48001) };
  }

  // -- housekeeping ----------------------------------------------------------------------------

  reset(): void {
    for (const app of this.apps.values()) {
      app.users.clear();
      app.openidByUnionid.clear();
      app.currentToken = null;
      app.previousToken = null;
      app.stableTokensIssued = 0;
    }
    this.loginCodes.clear();
    this.phoneCodes.clear();
    this.oauthCodes.clear();
    this.stableTokens.clear();
    this.userTokens.clear();
    this.contentRules.length = 0;
    this.faults.clear();
    this.calls.clear();
    this.clockOffsetMs = 0;
  }

  /** Forgets expired codes and long-expired tokens, so a long benchmark does not grow memory. */
  sweep(): void {
    const now = this.now();
    for (const codes of [this.loginCodes, this.phoneCodes, this.oauthCodes]) {
      for (const [code, entry] of codes) {
        if (entry.expiresAt <= now) codes.delete(code);
      }
    }
    for (const tokens of [this.stableTokens, this.userTokens]) {
      for (const [value, token] of tokens) {
        if (token.expiresAt + EXPIRED_TOKEN_MEMORY_MS <= now) tokens.delete(value);
      }
    }
  }
}
