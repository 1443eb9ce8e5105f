import { Injectable } from '@nestjs/common';
import type { NewIdentity } from '../users/identity.repository';
import { WechatApiClient } from '../wechat/wechat-api.client';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import { WechatOauthClient } from '../wechat/wechat-oauth.client';

/** A code of any configured app → the WeChat identity it proves (mini-program or web). */
@Injectable()
export class WechatGrants {
  constructor(
    private readonly apps: WechatAppRegistry,
    private readonly miniPrograms: WechatApiClient,
    private readonly oauth: WechatOauthClient,
  ) {}

  async exchange(appId: string, code: string): Promise<NewIdentity> {
    const app = this.apps.require(appId);
    if (app.type === 'miniprogram') {
      const grant = await this.miniPrograms.code2Session(app, code);
      return { appId: app.appId, ...grant };
    }
    const grant = await this.oauth.exchange(app, code);
    return { appId: app.appId, openid: grant.openid, unionid: grant.unionid };
  }
}
