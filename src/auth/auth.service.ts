import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { toUserView } from '../users/user.view';
import { UsersService } from '../users/users.service';
import { WechatApiClient } from '../wechat/wechat-api.client';
import { WechatAppRegistry } from '../wechat/wechat-app.registry';
import { verifyRawDataSignature } from '../wechat/wechat-signature';
import { AccessTokenService } from './access-token.service';
import type { LoginResult, TokenPair } from './dto/token-pair.dto';
import type { WechatLoginDto } from './dto/wechat-login.dto';
import { profileFromRawData, profileFromUserInfo } from './profile';
import { SessionService } from './session.service';

export interface LoginContext {
  ip: string;
  userAgent?: string;
}

/** The login flow: WeChat code → user row → session → tokens; and refresh and logout. */
@Injectable()
export class AuthService {
  constructor(
    private readonly wechat: WechatApiClient,
    private readonly apps: WechatAppRegistry,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly accessTokens: AccessTokenService,
  ) {}

  async login(body: WechatLoginDto, context: LoginContext): Promise<LoginResult> {
    const wechatSession = await this.wechat.code2Session(this.apps.defaultApp, body.code);
    let profile = body.userInfo ? profileFromUserInfo(body.userInfo) : undefined;
    if (body.rawData !== undefined && body.signature !== undefined) {
      if (!verifyRawDataSignature(body.rawData, body.signature, wechatSession.sessionKey)) {
        throw new ApiException(
          'WECHAT_SIGNATURE_INVALID',
          'rawData and signature do not match the session key of this code',
        );
      }
      profile = profileFromRawData(body.rawData);
    }
    const { user, isNewUser } = await this.users.recordLogin({
      ...wechatSession,
      profile,
      ip: context.ip,
      userAgent: context.userAgent,
    });
    if (user.status === 'disabled') {
      throw new ApiException('USER_DISABLED', 'This account has been disabled');
    }
    const session = await this.sessions.start(user.id);
    return {
      ...this.tokenPair(user.id, session.sessionId, session.refreshToken),
      isNewUser,
      user: toUserView(user),
    };
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const session = await this.sessions.rotate(refreshToken);
    await this.users.requireActive(session.userId);
    return this.tokenPair(session.userId, session.sessionId, session.refreshToken);
  }

  logout(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId, 'logout');
  }

  private tokenPair(userId: bigint, sessionId: string, refreshToken: string): TokenPair {
    return {
      accessToken: this.accessTokens.sign(userId, sessionId),
      tokenType: 'Bearer',
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken,
      refreshExpiresIn: this.sessions.refreshTtlSeconds,
    };
  }
}
