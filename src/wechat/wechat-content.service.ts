import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import type { WechatApp } from '../config/wechat-apps';
import { WechatStableTokenService } from './wechat-stable-token.service';

const CONTENT_CHECK_PATH = '/wxa/msg_sec_check';
/** msg_sec_check version 2, scene 1: a profile field (nickname). */
const VERSION = 2;
const PROFILE_SCENE = 1;

/**
 * WeChat's content check for what users write into their profile. It only ever resolves on
 * WeChat's verdict: without one (any failure, or an answer without a known `suggest`) it
 * throws, so nothing is saved unchecked.
 */
@Injectable()
export class WechatContentService {
  constructor(private readonly tokens: WechatStableTokenService) {}

  /**
   * Checks a nickname for a user of mini-program `app` (WeChat offers the check to
   * mini-programs only): `risky` is CONTENT_REJECTED; `pass` and `review` resolve.
   */
  async checkNickname(app: WechatApp, openid: string, nickname: string): Promise<void> {
    const body = await this.tokens.call(app, CONTENT_CHECK_PATH, {
      method: 'POST',
      data: { content: nickname, version: VERSION, scene: PROFILE_SCENE, openid },
    });
    const result = body.result as { suggest?: unknown } | null | undefined;
    const suggest = typeof result === 'object' && result !== null ? result.suggest : undefined;
    if (suggest === 'pass' || suggest === 'review') return;
    if (suggest === 'risky') {
      throw new ApiException('CONTENT_REJECTED', "WeChat's content check rejected this nickname");
    }
    throw new ApiException(
      'WECHAT_UNAVAILABLE',
      'WeChat answered msg_sec_check without a verdict; the nickname was not checked',
    );
  }
}
