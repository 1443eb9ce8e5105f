import { Injectable } from '@nestjs/common';
import { verify as verifyHmacJwt, VerifyOptions } from 'jsonwebtoken';
import type { KeyObject } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { jwtModuleOptions } from './jwt-options';
import type { AccessTokenClaims } from './access-token.service';
import { verifyJws } from './jws';

const invalid = (message = 'The access token is invalid') =>
  new ApiException('UNAUTHORIZED', message);
const expired = () => new ApiException('TOKEN_EXPIRED', 'The access token has expired; refresh it');

/**
 * Checks an access token of this service: signature under JWT_ALGORITHM (HS256 through
 * @nestjs/jwt, ES256/EdDSA through ./jws), expiry, iss/aud when configured, and the claims'
 * shape. Used by the bearer guard and by introspection. Keys were parsed once at start.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verifySignature: (token: string) => Record<string, unknown>;

  constructor(private readonly config: AppConfig) {
    const { algorithm, verificationKeys, secret } = config.jwt;
    if (algorithm === 'HS256') {
      // jsonwebtoken directly, as passport-jwt called it: JwtService.verify merges its options
      // on every call (+2.5 µs, a third of the verify).
      const options = jwtModuleOptions(config).verifyOptions as VerifyOptions;
      this.verifySignature = (token) => this.verifyHs256(token, secret!, options);
    } else {
      const keys: ReadonlyMap<string, KeyObject> = new Map(
        verificationKeys.map((key) => [key.kid, key.publicKey]),
      );
      this.verifySignature = (token) => this.checkClaims(verifyJws(token, algorithm, keys));
    }
  }

  /** The token's claims, or ApiException TOKEN_EXPIRED / UNAUTHORIZED. */
  verify(token: string): AccessTokenClaims {
    let claims: Record<string, unknown>;
    try {
      claims = this.verifySignature(token);
    } catch (error) {
      throw error instanceof ApiException ? error : invalid();
    }
    if (
      typeof claims.sub !== 'string' ||
      !/^\d{1,20}$/.test(claims.sub) ||
      typeof claims.sid !== 'string' ||
      // jsonwebtoken checks exp only when present; a token without one would never expire.
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      throw invalid('The access token is malformed');
    }
    return claims as unknown as AccessTokenClaims;
  }

  /** jsonwebtoken checks exp, nbf, iss and aud (the verifyOptions JwtModule has too). */
  private verifyHs256(
    token: string,
    secret: KeyObject,
    options: VerifyOptions,
  ): Record<string, unknown> {
    try {
      return verifyHmacJwt(token, secret, options) as Record<string, unknown>;
    } catch (error) {
      throw (error as Error).name === 'TokenExpiredError' ? expired() : invalid();
    }
  }

  /** What jsonwebtoken checks for HS256, for the tokens ./jws verified. */
  private checkClaims(claims: Record<string, unknown>): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const { issuer, audience } = this.config.jwt;
    if (typeof claims.exp === 'number' && now >= claims.exp) throw expired();
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) {
      throw invalid();
    }
    if (issuer !== undefined && claims.iss !== issuer) throw invalid();
    if (audience !== undefined) {
      const audiences: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(audience)) throw invalid();
    }
    return claims;
  }
}
