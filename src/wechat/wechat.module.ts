import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { WechatApiClient } from './wechat-api.client';
import { WechatAppRegistry } from './wechat-app.registry';
import { wechatHttpAdapter } from './wechat-http.adapter';
import { WechatContentService } from './wechat-content.service';
import { WechatOauthClient } from './wechat-oauth.client';
import { WechatPhoneService } from './wechat-phone.service';
import { WechatStableTokenService } from './wechat-stable-token.service';

const SERVICES = [
  WechatAppRegistry,
  WechatApiClient,
  WechatOauthClient,
  WechatPhoneService,
  WechatContentService,
  WechatStableTokenService,
];

@Module({
  imports: [
    HttpModule.register({
      // Keep-alive: a login should not pay a TCP (and TLS) handshake towards WeChat.
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
      maxRedirects: 0,
      adapter: wechatHttpAdapter,
    }),
  ],
  providers: SERVICES,
  exports: SERVICES,
})
export class WechatModule {}
