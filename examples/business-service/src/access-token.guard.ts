import {
  CanActivate,
  ExecutionContext,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createRemoteJWKSet, jwtVerify, JWTVerifyGetKey } from 'jose';
import { BusinessServiceSettings } from './settings';

export const IS_PUBLIC = 'isPublic';

/** What the guard attaches to the request for the controllers. */
export interface Caller {
  /** The login service's account id (the token's `sub`). */
  accountId: string;
  sessionId: string;
}

/**
 * Every route needs a token of the login service unless marked public. Tokens are checked
 * locally against the published JWKS (jose caches the keys and refetches them when a token
 * names a `kid` it does not know, as after a key rotation); with an introspection token the
 * login service is also asked whether the session is still live.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly settings: BusinessServiceSettings,
    private readonly reflector: Reflector,
  ) {
    this.keys = createRemoteJWKSet(new URL(`${settings.authServiceUrl}/.well-known/jwks.json`), {
      cooldownDuration: settings.jwksCooldownMs,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; caller?: Caller }>();
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException('A bearer token is required');
    request.caller = await this.verify(token);
    if (this.settings.introspectionToken) await this.assertLive(token);
    return true;
  }

  private async verify(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        // Never what the token's header asks for: only the login service's asymmetric algorithms.
        algorithms: ['ES256', 'EdDSA'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'sid', 'exp'],
      });
      return { accountId: String(payload.sub), sessionId: String(payload.sid) };
    } catch {
      throw new UnauthorizedException('The access token is invalid or expired');
    }
  }

  /** RFC 7662: the login service answers `active: false` once the session ends. */
  private async assertLive(token: string): Promise<void> {
    let answer: { active?: boolean };
    try {
      const response = await fetch(`${this.settings.authServiceUrl}/auth/introspect`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.settings.introspectionToken}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`introspection answered ${response.status}`);
      answer = (await response.json()) as { active?: boolean };
    } catch {
      // Fail closed: a revocation check that cannot run does not let the token through.
      throw new ServiceUnavailableException('The login service cannot be reached');
    }
    if (answer.active !== true) throw new UnauthorizedException('The session has ended');
  }
}
