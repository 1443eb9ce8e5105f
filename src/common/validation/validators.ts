import { applyDecorators } from '@nestjs/common';
import { IsIn, IsString, IsUrl, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';

// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Length in Unicode code points, so an emoji counts once (String#length counts it twice). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * A WeChat nickname: 1-64 code points of well-formed Unicode (a lone surrogate cannot be
 * stored in utf8mb4), no control characters.
 */
export function IsNickname(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNickname',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.isWellFormed() &&
          !CONTROL_CHARACTERS.test(value) &&
          codePointLength(value) >= 1 &&
          codePointLength(value) <= 64,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be 1-64 characters of valid Unicode without control characters`,
      },
    },
    options,
  );
}

/** An http(s) avatar URL of at most 512 characters. */
export function IsAvatarUrl(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(512),
    IsUrl(
      { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
      { message: ({ property }) => `${property} must be an http or https URL` },
    ),
  );
}

/** WeChat's gender: 0 unknown, 1 male, 2 female. */
export function IsGender(): PropertyDecorator {
  return IsIn([0, 1, 2], { message: ({ property }) => `${property} must be 0, 1 or 2` });
}
