import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import type { AccessTokenClaims } from './access-token.service';
import { verifyHs256Jws, verifyJws } from './jws';

const invalid = (message = 'The access token is invalid') =>
  new ApiException('UNAUTHORIZED', message);
const expired = () => new ApiException('TOKEN_EXPIRED', 'The access token has expired; refresh it');

/**
 * Checks an access token of this service: signature under JWT_ALGORITHM only (./jws, with the
 * secret or the verification keys parsed once at start), expiry, iss/aud when configured, and
 * the claims' shape. Used by the bearer guard and by introspection.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verifySignature: (token: string) => Record<string, unknown>;

  constructor(private readonly config: AppConfig) {
    const { algorithm, verificationKeys, secret } = config.jwt;
    if (algorithm === 'HS256') {
      this.verifySignature = (token) => verifyHs256Jws(token, secret!);
    } else {
      const keys: ReadonlyMap<string, KeyObject> = new Map(
        verificationKeys.map((key) => [key.kid, key.publicKey]),
      );
      this.verifySignature = (token) => verifyJws(token, algorithm, keys);
    }
  }

  /** The token's claims, or ApiException TOKEN_EXPIRED / UNAUTHORIZED. */
  verify(token: string): AccessTokenClaims {
    let claims: Record<string, unknown>;
    try {
      claims = this.verifySignature(token);
    } catch {
      throw invalid();
    }
    this.checkTimesAndParties(claims);
    if (
      typeof claims.sub !== 'string' ||
      !/^\d{1,20}$/.test(claims.sub) ||
      typeof claims.sid !== 'string' ||
      // A token without exp would never expire.
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      throw invalid('The access token is malformed');
    }
    return claims as unknown as AccessTokenClaims;
  }

  /** What jsonwebtoken checked when it verified HS256: exp, nbf, iss and aud. */
  private checkTimesAndParties(claims: Record<string, unknown>): void {
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
  }
}
