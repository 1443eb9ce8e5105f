import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';
import { signJws } from './jws';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
  iss?: string;
  aud?: string;
}

/**
 * Signs the service's access tokens under JWT_ALGORITHM: `sub` (the account id as a string),
 * `sid` (session id), `iat`, `exp`, and `iss`/`aud` when configured. HS256 goes through
 * @nestjs/jwt (JwtModule holds the secret, issuer and audience); ES256/EdDSA tokens carry the
 * signing key's thumbprint as `kid`.
 */
@Injectable()
export class AccessTokenService {
  private readonly signClaims: (claims: { sub: string; sid: string }) => string;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {
    const { algorithm, signingKey, issuer, audience } = config.jwt;
    if (algorithm === 'HS256' || !signingKey) {
      this.signClaims = (claims) => this.jwt.sign(claims, { expiresIn: this.ttlSeconds });
    } else {
      this.signClaims = (claims) => {
        const iat = Math.floor(Date.now() / 1000);
        const payload: AccessTokenClaims = { ...claims, iat, exp: iat + this.ttlSeconds };
        if (issuer !== undefined) payload.iss = issuer;
        if (audience !== undefined) payload.aud = audience;
        return signJws(payload, algorithm, signingKey.kid, signingKey.privateKey);
      };
    }
  }

  get ttlSeconds(): number {
    return Math.floor(this.config.jwt.accessTtlSeconds);
  }

  sign(accountId: bigint, sessionId: string): string {
    return this.signClaims({ sub: accountId.toString(), sid: sessionId });
  }
}
