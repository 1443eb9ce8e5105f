import { ApiException } from '../common/errors/api.exception';

/** WeChat errcodes that mean "retry": busy. */
export const WECHAT_BUSY = -1;
/** On server-to-server calls these mean "the access token is invalid or expired". */
export const ACCESS_TOKEN_ERRCODES = new Set([40001, 40014, 42001]);

const CODE_INVALID = new Set([40029, 40163, 41008]);
const MISCONFIGURED = new Set([40013, 40125, 41002, 41004, 40164, 40243, 40002]);

/** A WeChat answer that carried an errcode other than 0. */
export class WechatErrcodeError extends Error {
  constructor(
    readonly errcode: number,
    readonly path: string,
  ) {
    super(`WeChat ${path} answered errcode ${errcode}`);
  }
}

/** Maps a WeChat errcode to the contract's error (docs/api.md, "Errors"). */
export function apiExceptionForErrcode(errcode: number): ApiException {
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
    return new ApiException(
      'WECHAT_MISCONFIGURED',
      `WeChat rejected this server's credentials (errcode ${errcode}); check WECHAT_APP_ID and WECHAT_APP_SECRET`,
    );
  }
  if (errcode === WECHAT_BUSY) {
    return new ApiException('WECHAT_UNAVAILABLE', 'WeChat is busy (errcode -1); try again shortly');
  }
  // docs/api.md maps every errcode it knows; anything else is INTERNAL ("anything else").
  return new ApiException(
    'INTERNAL',
    `WeChat answered an error this service does not handle (errcode ${errcode})`,
  );
}
