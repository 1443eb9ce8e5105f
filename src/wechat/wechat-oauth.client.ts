import { Injectable, Logger } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { isAvatarUrl, isNickname } from '../common/validation/validators';
import type { WechatApp } from '../config/wechat-apps';
import { WechatApiClient, WechatBody } from './wechat-api.client';
import { mapWechatError, WechatErrcodeError } from './wechat-errors';

/** What a web OAuth code is worth: who the user is and, with their consent, their profile. */
export interface WebGrant {
  openid: string;
  unionid?: string;
  scope: string;
  profile?: { nickname?: string; avatarUrl?: string };
}

const TOKEN_PATH = '/sns/oauth2/access_token';
const USERINFO_PATH = '/sns/userinfo';
/** The scopes under which /sns/userinfo answers; snsapi_base only proves who the user is. */
const PROFILE_SCOPES = ['snsapi_userinfo', 'snsapi_login'];

/**
 * WeChat's web login for Official Account pages and website apps (QR login). The web access
 * token WeChat hands out is the user's: it is used once, for /sns/userinfo, and then dropped;
 * the refresh token is never used. Neither is stored, answered or logged (the API client logs
 * paths, never query strings).
 */
@Injectable()
export class WechatOauthClient {
  private readonly logger = new Logger(WechatOauthClient.name);

  constructor(private readonly client: WechatApiClient) {}

  /** Exchanges a web OAuth code of `app`; a snapshot page's virtual user is refused. */
  async exchange(app: WechatApp, code: string): Promise<WebGrant> {
    let body: WechatBody;
    try {
      body = await this.client.request(TOKEN_PATH, {
        method: 'GET',
        params: { appid: app.appId, secret: app.secret, code, grant_type: 'authorization_code' },
      });
    } catch (error) {
      throw mapWechatError(error, app);
    }
    const { access_token: webToken, openid, unionid, scope, is_snapshotuser: snapshot } = body;
    if (snapshot === 1) {
      throw new ApiException(
        'WECHAT_SNAPSHOT_USER',
        "This is WeChat's snapshot page: its openid is a virtual one. Open the page in WeChat to log in",
      );
    }
    if (typeof openid !== 'string' || !openid || typeof webToken !== 'string' || !webToken) {
      throw new ApiException(
        'WECHAT_UNAVAILABLE',
        'WeChat answered oauth2/access_token without openid or access_token',
      );
    }
    // WeChat always sends scope; without one, the login still proves who the user is.
    const grantedScope = typeof scope === 'string' ? scope : '';
    const grant: WebGrant = {
      openid,
      scope: grantedScope,
      ...(typeof unionid === 'string' && unionid ? { unionid } : {}),
    };
    if (!grantedScope.split(/[\s,]+/).some((granted) => PROFILE_SCOPES.includes(granted))) {
      return grant;
    }
    const profile = await this.readProfile(webToken, openid);
    return profile ? { ...grant, profile } : grant;
  }

  /**
   * The user's nickname and avatar, or undefined when WeChat will not say: the login does not
   * depend on them. Values that would not pass our own profile rules are left out.
   */
  private async readProfile(webToken: string, openid: string): Promise<WebGrant['profile']> {
    let body: WechatBody;
    try {
      body = await this.client.request(USERINFO_PATH, {
        method: 'GET',
        params: { access_token: webToken, openid, lang: 'zh_CN' },
      });
    } catch (error) {
      const errcode = error instanceof WechatErrcodeError ? error.errcode : undefined;
      this.logger.warn({ path: USERINFO_PATH, errcode }, 'Web login proceeds without the profile');
      return undefined;
    }
    if (body.openid !== undefined && body.openid !== openid) return undefined;
    const { nickname, headimgurl } = body;
    const profile = {
      ...(isNickname(nickname) ? { nickname } : {}),
      ...(isAvatarUrl(headimgurl) ? { avatarUrl: headimgurl } : {}),
    };
    return Object.keys(profile).length > 0 ? profile : undefined;
  }
}
