import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

/** Signs the service's HS256 access tokens: `sub` (the account id as a string) and `sid` (session id). */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return Math.floor(this.config.jwt.accessTtlSeconds);
  }

  sign(accountId: bigint, sessionId: string): string {
    return this.jwt.sign(
      { sub: accountId.toString(), sid: sessionId },
      { expiresIn: this.ttlSeconds },
    );
  }
}
