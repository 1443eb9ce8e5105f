import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiException } from '../common/errors/api.exception';
import { duplicateKeyOf, SqlClient } from '../prisma/sql-client';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import { WechatPhoneNumber, WechatPhoneService } from '../wechat/wechat-phone.service';
import { UNIQUE_KEYS, UPDATE_PHONE } from './users.queries';

/** The getPhoneNumber button's code → WeChat's phone number → stored on the account. */
@Injectable()
export class PhoneBindingService {
  constructor(
    private readonly wechatPhone: WechatPhoneService,
    private readonly apps: WechatAppRegistry,
    private readonly sql: SqlClient,
  ) {}

  async bind(caller: AuthenticatedUser, code: string): Promise<WechatPhoneNumber> {
    const app = this.apps.find(caller.identity.appId);
    if (app?.type !== 'miniprogram') {
      throw new ApiException(
        'VALIDATION_FAILED',
        'Phone numbers come from the getPhoneNumber button: log in from the mini-program to bind one',
      );
    }
    // Sending the session identity's openid makes WeChat refuse a code another user's button produced.
    const phone = await this.wechatPhone.exchange(app, code, caller.identity.openid);
    try {
      await this.sql.query(UPDATE_PHONE, [
        ...[phone.phoneNumber, phone.countryCode],
        ...[new Date(), caller.accountId],
      ]);
    } catch (error) {
      // The unique key decides, so two accounts binding one number at once cannot both win.
      if (duplicateKeyOf(error) === UNIQUE_KEYS.phone) {
        throw new ApiException('PHONE_TAKEN', 'This phone number is bound to another account');
      }
      throw error;
    }
    return phone;
  }
}
