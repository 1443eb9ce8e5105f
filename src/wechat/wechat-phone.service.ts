import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import type { WechatApp } from '../config/wechat-apps';
import { WechatStableTokenService } from './wechat-stable-token.service';

/** A phone number as WeChat's getPhoneNumber button reveals it. */
export interface WechatPhoneNumber {
  /** With the country code (`+1…`) except for mainland numbers, which come bare. */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

const PHONE_PATH = '/wxa/business/getuserphonenumber';

// Loose on purpose (formats vary by country), but it must fit the wx_user columns:
// phone VARCHAR(32), phone_country_code VARCHAR(8).
const PHONE = /^[\x20-\x7e]{1,32}$/;
const COUNTRY_CODE = /^[\x21-\x7e]{1,8}$/;

@Injectable()
export class WechatPhoneService {
  constructor(private readonly tokens: WechatStableTokenService) {}

  /**
   * Exchanges a phone code of mini-program `app` (valid 5 minutes, once), with that app's
   * stable token. Sending the caller's openid makes WeChat refuse a code that another user's
   * button produced.
   */
  async exchange(app: WechatApp, code: string, openid: string): Promise<WechatPhoneNumber> {
    const body = await this.tokens.call(app, PHONE_PATH, {
      method: 'POST',
      data: { code, openid },
    });
    const info = body.phone_info as Record<string, unknown> | null | undefined;
    const phoneNumber = info?.['phoneNumber'];
    const purePhoneNumber = info?.['purePhoneNumber'];
    // Documented as a string; accept a number too rather than fail a user over its type.
    const countryCode =
      typeof info?.['countryCode'] === 'number'
        ? String(info['countryCode'])
        : info?.['countryCode'];
    if (
      typeof phoneNumber !== 'string' ||
      !PHONE.test(phoneNumber) ||
      typeof purePhoneNumber !== 'string' ||
      !PHONE.test(purePhoneNumber) ||
      typeof countryCode !== 'string' ||
      !COUNTRY_CODE.test(countryCode)
    ) {
      throw new ApiException(
        'WECHAT_UNAVAILABLE',
        'WeChat answered getuserphonenumber without a usable phone_info',
      );
    }
    return { phoneNumber, purePhoneNumber, countryCode };
  }
}
