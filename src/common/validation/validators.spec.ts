import { validateSync } from 'class-validator';
import { IsAppId, isAvatarUrl, isNickname, IsWechatCode } from './validators';

class CodeBody {
  @IsWechatCode()
  code: unknown;
}

class AppBody {
  @IsAppId()
  appId: unknown;
}

function errorsOf<T extends object>(type: new () => T, values: Partial<T>): string[] {
  const body = Object.assign(new type(), values);
  return validateSync(body).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('IsWechatCode', () => {
  it.each(['a', '0a3Xyz1w3ZbXyS0Wq1Iw3NQ0mR1Xyz1P', '~'.repeat(128), '!#$%&*+-./:;<=>?@[]^_`{|}~'])(
    'accepts %p',
    (code) => {
      expect(errorsOf(CodeBody, { code })).toEqual([]);
    },
  );

  it.each([
    ['empty', ''],
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'codé'],
    ['a number', 12345],
    ['null', null],
    ['an array', ['abc']],
  ])('refuses %s, naming the field', (_name, code) => {
    expect(errorsOf(CodeBody, { code })).toEqual([
      'code must be 1-128 printable ASCII characters without spaces',
    ]);
  });
});

describe('IsAppId', () => {
  it.each(['wx1234567890abcdef', 'wx1234567890ABCDEF', 'WX1234567890abcdef'])(
    'accepts %p (WeChat issues lower case; case is not held against the client)',
    (appId) => {
      expect(errorsOf(AppBody, { appId })).toEqual([]);
    },
  );

  it.each([
    ['too short', 'wx1234567890abcde'],
    ['too long', 'wx1234567890abcdef0'],
    ['not hex', 'wx1234567890abcdeg'],
    ['without wx', 'ab1234567890abcdef'],
    ['a number', 1234],
    ['empty', ''],
  ])('refuses %s', (_name, appId) => {
    expect(errorsOf(AppBody, { appId })).toEqual([
      'appId must be a WeChat AppID: wx and 16 hexadecimal characters',
    ]);
  });
});

describe('isNickname and isAvatarUrl (shared with profiles WeChat sends)', () => {
  it('judges nicknames by code points, Unicode well-formedness and control characters', () => {
    expect(isNickname('😀'.repeat(64))).toBe(true);
    expect(isNickname('😀'.repeat(65))).toBe(false);
    expect(isNickname('')).toBe(false);
    expect(isNickname('bell\u0007')).toBe(false);
    expect(isNickname('\ud800')).toBe(false);
    expect(isNickname(7)).toBe(false);
  });

  it('accepts http(s) URLs up to 512 characters only', () => {
    expect(isAvatarUrl('https://thirdwx.qlogo.cn/mmopen/a.png')).toBe(true);
    expect(isAvatarUrl('http://127.0.0.1:4010/a.png')).toBe(true);
    expect(isAvatarUrl(`https://a.cn/${'a'.repeat(500)}`)).toBe(false);
    expect(isAvatarUrl('javascript:alert(1)')).toBe(false);
    expect(isAvatarUrl('ftp://a.cn/a.png')).toBe(false);
    expect(isAvatarUrl('')).toBe(false);
    expect(isAvatarUrl(undefined)).toBe(false);
  });
});
