import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { WechatAccessTokenService } from './wechat-access-token.service';
import { WechatApiClient } from './wechat-api.client';
import { WechatPhoneService } from './wechat-phone.service';

@Module({
  imports: [
    HttpModule.register({
      // Keep-alive: a login should not pay a TCP (and TLS) handshake towards WeChat.
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
      maxRedirects: 0,
    }),
  ],
  providers: [WechatApiClient, WechatAccessTokenService, WechatPhoneService],
  exports: [WechatApiClient, WechatAccessTokenService, WechatPhoneService],
})
export class WechatModule {}
