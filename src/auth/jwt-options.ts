import type { JwtModuleOptions } from '@nestjs/jwt';
import type { AppConfig } from '../config/app-config';

/**
 * @nestjs/jwt's setup: HS256 with the secret, and iss/aud when configured (jsonwebtoken
 * refuses an `issuer: undefined`, so unset ones are left out). Under ES256/EdDSA it has no
 * key and is not used for tokens (see AccessTokenService).
 */
export function jwtModuleOptions(config: AppConfig): JwtModuleOptions {
  const { secret, issuer, audience } = config.jwt;
  const claims = {
    ...(issuer !== undefined ? { issuer } : {}),
    ...(audience !== undefined ? { audience } : {}),
  };
  return {
    secret,
    signOptions: { algorithm: 'HS256', ...claims },
    verifyOptions: { algorithms: ['HS256'], ...claims },
  };
}
