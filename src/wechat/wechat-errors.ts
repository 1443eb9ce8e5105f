import { ApiException } from '../common/errors/api.exception';
import type { WechatApp } from '../config/wechat-apps';

/**
 * The one place that turns WeChat's errcodes into the contract's errors (docs/api.md,
 * "Errors"). Every call to WeChat (mini-program login, web login, stable token, phone number,
 * content check) maps through here, so one errcode means one thing to clients everywhere.
 */

/** Busy: the client retries it once. */
export const WECHAT_BUSY = -1;
/** On calls made with a token (stable or web) these mean "this token is invalid or expired". */
export const TOKEN_INVALID_ERRCODES = new Set([40001, 40014, 42001]);

const CODE_INVALID = new Set([40029, 40163, 41008]);
/** Our app id, secret or server IP is refused; on a stable_token fetch 40001 means the same. */
const MISCONFIGURED = new Set([40013, 40125, 41002, 41004, 40164, 40243, 40002]);
/** The daily call quota of the app (45009) is used up. */
const DAILY_QUOTA = 45009;
/** WeChat does not know the openid for the app, or has not seen the user there lately. */
const USER_NOT_RECOGNISED = new Set([40003, 61010]);
/** The content check found nothing to judge. */
const EMPTY_CONTENT = 44004;

/** Every errcode mapped below: the metrics count each by its number, any other as "other". */
const KNOWN_ERRCODES: ReadonlySet<number> = new Set([
  WECHAT_BUSY,
  ...TOKEN_INVALID_ERRCODES,
  ...CODE_INVALID,
  40226,
  45011,
  ...MISCONFIGURED,
  DAILY_QUOTA,
  ...USER_NOT_RECOGNISED,
  EMPTY_CONTENT,
]);

/** How an answer with this errcode is counted in the metrics: "ok", its number or "other". */
export function errcodeOutcome(errcode: number | undefined): string {
  if (errcode === undefined || errcode === 0) return 'ok';
  return KNOWN_ERRCODES.has(errcode) ? String(errcode) : 'other';
}

/** A WeChat answer that carried an errcode other than 0. */
export class WechatErrcodeError extends Error {
  constructor(
    readonly errcode: number,
    readonly path: string,
  ) {
    super(`WeChat ${path} answered errcode ${errcode}`);
  }
}

/** The settings that hold an app's credentials, for messages that ask to check them. */
function credentialsOf(app: WechatApp | undefined): string {
  return app
    ? `check the id and secret of app ${app.appId} (WECHAT_APP_ID and WECHAT_APP_SECRET, or WECHAT_APPS)`
    : 'check WECHAT_APP_ID and WECHAT_APP_SECRET (or WECHAT_APPS)';
}

/** Maps a WeChat errcode to the contract's error. `app` names the app in configuration errors. */
export function apiExceptionForErrcode(errcode: number, app?: WechatApp): ApiException {
  if (CODE_INVALID.has(errcode)) {
    return new ApiException(
      'WECHAT_CODE_INVALID',
      `WeChat rejected the code (errcode ${errcode}): it is invalid, expired (codes live 5 minutes) or already used; get a new one`,
    );
  }
  if (errcode === 40226) {
    return new ApiException(
      'WECHAT_USER_BLOCKED',
      'WeChat flags this user as high risk (errcode 40226)',
    );
  }
  if (errcode === 45011) {
    return new ApiException(
      'WECHAT_RATE_LIMITED',
      'WeChat minute quota for this user reached (errcode 45011); retry in a minute',
    );
  }
  if (MISCONFIGURED.has(errcode)) {
    const ip = errcode === 40164 ? " or add this server's IP to the app's IP whitelist" : '';
    return new ApiException(
      'WECHAT_MISCONFIGURED',
      `WeChat rejected this server's credentials (errcode ${errcode}); ${credentialsOf(app)}${ip}`,
    );
  }
  if (errcode === WECHAT_BUSY) {
    return new ApiException('WECHAT_UNAVAILABLE', 'WeChat is busy (errcode -1); try again shortly');
  }
  if (errcode === DAILY_QUOTA) {
    return new ApiException(
      'WECHAT_UNAVAILABLE',
      "WeChat's daily call quota for this app is used up (errcode 45009); try again later",
    );
  }
  if (TOKEN_INVALID_ERRCODES.has(errcode)) {
    // Reached only after the one retry with a fresh token: WeChat is not settled yet.
    return new ApiException(
      'WECHAT_UNAVAILABLE',
      `WeChat refused a freshly fetched token (errcode ${errcode}); try again shortly`,
    );
  }
  if (USER_NOT_RECOGNISED.has(errcode)) {
    return new ApiException(
      'WECHAT_UNAVAILABLE',
      `WeChat does not recognise this user of the app right now (errcode ${errcode}); log in again and retry`,
    );
  }
  if (errcode === EMPTY_CONTENT) {
    return new ApiException(
      'VALIDATION_FAILED',
      'WeChat found no content to check (errcode 44004); send visible characters',
    );
  }
  // docs/api.md maps every errcode it knows; anything else is INTERNAL ("anything else").
  return new ApiException(
    'INTERNAL',
    `WeChat answered an error this service does not handle (errcode ${errcode})`,
  );
}

/**
 * The error of a stable_token fetch: there 40001 means a wrong secret (not a stale token),
 * so it is a configuration error like the rest.
 */
export function apiExceptionForTokenFetch(errcode: number, app: WechatApp): ApiException {
  if (errcode === 40001) {
    return new ApiException(
      'WECHAT_MISCONFIGURED',
      `WeChat refused to issue a token (errcode 40001); ${credentialsOf(app)}`,
    );
  }
  return apiExceptionForErrcode(errcode, app);
}

/** `error` as the contract's error when WeChat answered an errcode; any other error as it is. */
export function mapWechatError(error: unknown, app: WechatApp): unknown {
  return error instanceof WechatErrcodeError ? apiExceptionForErrcode(error.errcode, app) : error;
}
