import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import type { AccessTokenClaims } from './access-token.service';
import type { AuthenticatedUser } from './authenticated-user';
import { SessionService } from './session.service';

/** Verifies access tokens (HS256 only) and checks their session and account on every request. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly sessions: SessionService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken accepts a KeyObject; see AppConfig.jwt.secret for why it is one.
      secretOrKey: config.jwt.secret as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: Partial<AccessTokenClaims>): Promise<AuthenticatedUser> {
    if (
      typeof claims.sub !== 'string' ||
      !/^\d{1,20}$/.test(claims.sub) ||
      typeof claims.sid !== 'string' ||
      // jsonwebtoken checks exp only when present; a token without one would never expire.
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      throw new ApiException('UNAUTHORIZED', 'The access token is malformed');
    }
    // Session, identity, account and its identities in one statement (SessionService).
    return this.sessions.requireCaller(claims.sid, BigInt(claims.sub));
  }
}
