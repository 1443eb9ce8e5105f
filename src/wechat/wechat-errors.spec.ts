import { ApiException } from '../common/errors/api.exception';
import {
  ACCESS_TOKEN_ERRCODES,
  apiExceptionForErrcode,
  WECHAT_BUSY,
  WechatErrcodeError,
} from './wechat-errors';

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
    [-1, 'WECHAT_UNAVAILABLE', 503],
    [45009, 'INTERNAL', 500],
    [99999, 'INTERNAL', 500],
  ])('maps errcode %i to %s (%i)', (errcode, code, status) => {
    const error = apiExceptionForErrcode(errcode);
    expect(error).toBeInstanceOf(ApiException);
    expect(error.code).toBe(code);
    expect(error.getStatus()).toBe(status);
    expect(error.message).toContain(String(errcode));
  });

  it('names the settings to check when WeChat rejects the credentials', () => {
    expect(apiExceptionForErrcode(40125).message).toMatch(/WECHAT_APP_ID.*WECHAT_APP_SECRET/);
  });

  it('tells the client to get a new code when the code is refused', () => {
    expect(apiExceptionForErrcode(40163).message).toMatch(/new one/);
  });

  it('answers an errcode docs/api.md does not list as INTERNAL', () => {
    expect(apiExceptionForErrcode(87009).code).toBe('INTERNAL');
  });

  it('knows -1 as busy and the access-token errcodes', () => {
    expect(WECHAT_BUSY).toBe(-1);
    expect([...ACCESS_TOKEN_ERRCODES].sort()).toEqual([40001, 40014, 42001]);
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
