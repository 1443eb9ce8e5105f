import { ApiException } from '../common/errors/api.exception';
import type { WechatApp } from '../config/wechat-apps';
import {
  apiExceptionForErrcode,
  apiExceptionForTokenFetch,
  mapWechatError,
  TOKEN_INVALID_ERRCODES,
  WECHAT_BUSY,
  WechatErrcodeError,
} from './wechat-errors';

const APP: WechatApp = {
  appId: 'wx00000000000000aa',
  secret: 'never-in-a-message-000000000000',
  type: 'official_account',
};

describe('apiExceptionForErrcode', () => {
  // docs/api.md, "Errors": each errcode WeChat may answer, and the contract's code and status for it.
  it.each([
    [40029, 'WECHAT_CODE_INVALID', 401],
    [40163, 'WECHAT_CODE_INVALID', 401],
    [41008, 'WECHAT_CODE_INVALID', 401],
    [40226, 'WECHAT_USER_BLOCKED', 403],
    [45011, 'WECHAT_RATE_LIMITED', 429],
    [40013, 'WECHAT_MISCONFIGURED', 502],
    [40125, 'WECHAT_MISCONFIGURED', 502],
    [41002, 'WECHAT_MISCONFIGURED', 502],
    [41004, 'WECHAT_MISCONFIGURED', 502],
    [40164, 'WECHAT_MISCONFIGURED', 502],
    [40243, 'WECHAT_MISCONFIGURED', 502],
    [40002, 'WECHAT_MISCONFIGURED', 502],
    [-1, 'WECHAT_UNAVAILABLE', 503],
    [45009, 'WECHAT_UNAVAILABLE', 503],
    // A token error that survived the retry with a fresh token.
    [40001, 'WECHAT_UNAVAILABLE', 503],
    [40014, 'WECHAT_UNAVAILABLE', 503],
    [42001, 'WECHAT_UNAVAILABLE', 503],
    // The content check does not know the user (invalid openid; not seen lately).
    [40003, 'WECHAT_UNAVAILABLE', 503],
    [61010, 'WECHAT_UNAVAILABLE', 503],
    [44004, 'VALIDATION_FAILED', 400],
    [40097, 'INTERNAL', 500],
    [99999, 'INTERNAL', 500],
  ])('maps errcode %i to %s (%i)', (errcode, code, status) => {
    const error = apiExceptionForErrcode(errcode, APP);
    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(code);
    expect(error.getStatus()).toBe(status);
    expect(error.message).toContain(String(errcode));
    expect(error.message).not.toContain(APP.secret);
  });

  it('names the app and the settings to check when WeChat rejects the credentials', () => {
    const message = apiExceptionForErrcode(40125, APP).message;
    expect(message).toContain(`app ${APP.appId}`);
    expect(message).toMatch(/WECHAT_APP_ID.*WECHAT_APP_SECRET.*WECHAT_APPS/);
    expect(apiExceptionForErrcode(40125).message).toMatch(/WECHAT_APP_ID.*WECHAT_APP_SECRET/);
  });

  it('points at the IP whitelist for 40164', () => {
    expect(apiExceptionForErrcode(40164, APP).message).toMatch(/IP whitelist/);
  });

  it('tells the client to get a new code when the code is refused', () => {
    expect(apiExceptionForErrcode(40163).message).toMatch(/new one/);
  });

  it('knows -1 as busy and the token errcodes', () => {
    expect(WECHAT_BUSY).toBe(-1);
    expect([...TOKEN_INVALID_ERRCODES].sort()).toEqual([40001, 40014, 42001]);
  });
});

describe('apiExceptionForTokenFetch', () => {
  it('reads 40001 on a token fetch as a wrong secret', () => {
    const error = apiExceptionForTokenFetch(40001, APP);
    expect(error.code).toBe('WECHAT_MISCONFIGURED');
    expect(error.message).toContain('errcode 40001');
    expect(error.message).toContain(APP.appId);
  });

  it.each([
    [40013, 'WECHAT_MISCONFIGURED'],
    [40164, 'WECHAT_MISCONFIGURED'],
    [45009, 'WECHAT_UNAVAILABLE'],
    [-1, 'WECHAT_UNAVAILABLE'],
  ])('maps the other errcodes as every call does: %i → %s', (errcode, code) => {
    expect(apiExceptionForTokenFetch(errcode, APP).code).toBe(code);
  });
});

describe('mapWechatError', () => {
  it('maps a WeChat errcode and leaves every other error as it is', () => {
    const mapped = mapWechatError(new WechatErrcodeError(40029, '/sns/oauth2/access_token'), APP);
    expect(mapped).toBeInstanceOf(ApiException);
    expect((mapped as ApiException).code).toBe('WECHAT_CODE_INVALID');
    const other = new ApiException('WECHAT_UNAVAILABLE', 'timeout');
    expect(mapWechatError(other, APP)).toBe(other);
  });
});

describe('WechatErrcodeError', () => {
  it('carries the errcode and path for the caller to map', () => {
    const error = new WechatErrcodeError(40029, '/wxa/business/getuserphonenumber');
    expect(error).toBeInstanceOf(Error);
    expect(error.errcode).toBe(40029);
    expect(error.path).toBe('/wxa/business/getuserphonenumber');
    expect(error.message).toBe('WeChat /wxa/business/getuserphonenumber answered errcode 40029');
  });
});
