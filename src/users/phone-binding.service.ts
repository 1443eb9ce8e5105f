import { Injectable } from '@nestjs/common';
import type { WxUser } from '../generated/prisma/client';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import { WechatPhoneNumber, WechatPhoneService } from '../wechat/wechat-phone.service';
import { UsersService } from './users.service';

/** The getPhoneNumber button's code → WeChat's phone number → stored on the user. */
@Injectable()
export class PhoneBindingService {
  constructor(
    private readonly wechatPhone: WechatPhoneService,
    private readonly users: UsersService,
    private readonly apps: WechatAppRegistry,
  ) {}

  async bind(user: WxUser, code: string): Promise<WechatPhoneNumber> {
    // WeChat checks that the code was issued to this openid.
    const phone = await this.wechatPhone.exchange(this.apps.defaultApp, code, user.openid);
    await this.users.setPhone(user.id, phone);
    return phone;
  }
}
