import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { LoginRecorder, type LoginInput } from '../users/login-recorder.service';
import { UsersService } from '../users/users.service';
import { WechatApiClient } from '../wechat/wechat-api.client';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import { WechatOauthClient } from '../wechat/wechat-oauth.client';
import { verifyRawDataSignature } from '../wechat/wechat-signature';
import { AccessTokenService } from './access-token.service';
import type { AppCodeDto } from './dto/app-code.dto';
import type { LoginResult, TokenPair } from './dto/token-pair.dto';
import type { WechatLoginDto } from './dto/wechat-login.dto';
import { profileFromRawData, profileFromUserInfo } from './profile';
import { SessionService, type SessionClient } from './session.service';

/** The login flows: WeChat code → identity and account → session → tokens; refresh and logout. */
@Injectable()
export class AuthService {
  constructor(
    private readonly apps: WechatAppRegistry,
    private readonly wechat: WechatApiClient,
    private readonly oauth: WechatOauthClient,
    private readonly logins: LoginRecorder,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly accessTokens: AccessTokenService,
  ) {}

  /** A mini-program's wx.login() code, for the default app or the named one. */
  async login(body: WechatLoginDto, client: SessionClient): Promise<LoginResult> {
    const app = this.apps.miniProgram(body.appId);
    const grant = await this.wechat.code2Session(app, body.code);
    let profile = body.userInfo ? profileFromUserInfo(body.userInfo) : undefined;
    if (body.rawData !== undefined && body.signature !== undefined) {
      if (!verifyRawDataSignature(body.rawData, body.signature, grant.sessionKey)) {
        throw new ApiException(
          'WECHAT_SIGNATURE_INVALID',
          'rawData and signature do not match the session key of this code',
        );
      }
      profile = profileFromRawData(body.rawData);
    }
    return this.finish({ appId: app.appId, ...grant, profile, profileMode: 'replace', ...client });
  }

  /** An Official Account page's or a website's OAuth code. */
  async oauthLogin(body: AppCodeDto, client: SessionClient): Promise<LoginResult> {
    const app = this.apps.webApp(body.appId);
    const grant = await this.oauth.exchange(app, body.code);
    return this.finish({
      appId: app.appId,
      openid: grant.openid,
      unionid: grant.unionid,
      profile: grant.profile,
      profileMode: 'fill',
      ...client,
    });
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const session = await this.sessions.rotate(refreshToken);
    return this.tokenPair(session.accountId, session.sessionId, session.refreshToken);
  }

  logout(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId, 'logout');
  }

  private async finish(login: LoginInput): Promise<LoginResult> {
    // The session starts while the login is being recorded (LoginRecorder.record).
    const recorded = await this.logins.record(login, (identityId) =>
      this.sessions.start(identityId, login),
    );
    const session = recorded.alongside;
    return {
      ...this.tokenPair(recorded.account.id, session.sessionId, session.refreshToken),
      isNewUser: recorded.isNewUser,
      user: this.users.view(recorded, recorded.identity),
    };
  }

  private tokenPair(accountId: bigint, sessionId: string, refreshToken: string): TokenPair {
    return {
      accessToken: this.accessTokens.sign(accountId, sessionId),
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken,
      refreshExpiresIn: this.sessions.refreshTtlSeconds,
    };
  }
}
