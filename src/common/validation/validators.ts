import { applyDecorators } from '@nestjs/common';
import {
  IsIn,
  isURL,
  IsString,
  IsUrl,
  MaxLength,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';

// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Length in Unicode code points, so an emoji counts once (String#length counts it twice). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Every code WeChat hands a client (wx.login(), the phone button, web OAuth): 1-128 printable
 * ASCII characters, no spaces. WeChat judges the rest; this only keeps junk from reaching it.
 */
export const WECHAT_CODE_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * An AppID as WeChat issues them: `wx` and 16 hex digits. WeChat's are lower-case; upper case
 * is accepted (and matched against the configured apps without regard to case).
 */
export const APP_ID_PATTERN = /^wx[0-9a-f]{16}$/i;

/** The one rule for every field that carries a WeChat code. */
export function IsWechatCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWechatCode',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && WECHAT_CODE_PATTERN.test(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'code'} must be 1-128 printable ASCII characters without spaces`,
      },
    },
    options,
  );
}

/** A WeChat AppID (`wx` + 16 hex characters). */
export function IsAppId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAppId',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && APP_ID_PATTERN.test(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'appId'} must be a WeChat AppID: wx and 16 hexadecimal characters`,
      },
    },
    options,
  );
}

/**
 * A WeChat nickname: 1-64 code points of well-formed Unicode (a lone surrogate cannot be
 * stored in utf8mb4), no control characters.
 */
export function isNickname(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.isWellFormed() &&
    !CONTROL_CHARACTERS.test(value) &&
    codePointLength(value) >= 1 &&
    codePointLength(value) <= 64
  );
}

/** {@link isNickname} as a DTO rule. */
export function IsNickname(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNickname',
      validator: {
        validate: isNickname,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be 1-64 characters of valid Unicode without control characters`,
      },
    },
    options,
  );
}

const AVATAR_URL_MAX_LENGTH = 512;
const AVATAR_URL_OPTIONS = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
};

/** An http(s) avatar URL of at most 512 characters. */
export function isAvatarUrl(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= AVATAR_URL_MAX_LENGTH &&
    isURL(value, AVATAR_URL_OPTIONS)
  );
}

/** {@link isAvatarUrl} as a DTO rule, with one message per way it can fail. */
export function IsAvatarUrl(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(AVATAR_URL_MAX_LENGTH),
    IsUrl(AVATAR_URL_OPTIONS, {
      message: ({ property }) => `${property} must be an http or https URL`,
    }),
  );
}

/** WeChat's gender: 0 unknown, 1 male, 2 female. */
export function IsGender(): PropertyDecorator {
  return IsIn([0, 1, 2], { message: ({ property }) => `${property} must be 0, 1 or 2` });
}
