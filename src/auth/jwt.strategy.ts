import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AccessTokenVerifier } from './access-token-verifier';
import type { AuthenticatedUser } from './authenticated-user';
import { BearerTokenStrategy } from './bearer-token.strategy';
import { SessionService } from './session.service';

/**
 * The 'jwt' strategy of the global guard: verifies the access token (JWT_ALGORITHM only) and
 * checks its session and account on every request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerTokenStrategy, 'jwt') {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionService,
  ) {
    super();
  }

  async validate(token: string): Promise<AuthenticatedUser> {
    const claims = this.verifier.verify(token);
    // Session, identity, account and its identities in one statement (SessionService).
    return this.sessions.requireCaller(claims.sid, BigInt(claims.sub));
  }
}
